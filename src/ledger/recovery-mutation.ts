import { LedgerUntrustedError } from "./errors.js";
import { deriveStages, type StageState } from "./derive.js";
import { runManifestSchema, type RunManifest } from "./files.js";
import { jsonFileText, reconcileMutation, type Mutation } from "./mutations.js";
import { runFile } from "./paths.js";
import type { AbandonedRow, DoneRow, LedgerRow } from "./rows.js";
import type { LedgerSnapshot } from "./store.js";
import { readMeta, readPlan, readRows, taskPath } from "./task-ledger.js";

/**
 * Crash recovery's one commit (SPEC §10): the reconcile (expired leases
 * become `abandoned`, complete carries are backfilled) and, for every run
 * that lost all its leases this way while its run.json still says `running`,
 * its run.json closed as `abandoned` with a report. What the outcome and the
 * report say is the engine's (engine/recovery/recover-task.ts).
 */

export interface ClosedRunText {
  /** run.json's `outcome` for the run closed as abandoned. */
  outcome(manifest: RunManifest, rows: readonly LedgerRow[]): string;
  /** report.md of the closed run. */
  report(closed: RunManifest, rows: readonly LedgerRow[]): string;
}

export interface RecoveredTask {
  abandoned: AbandonedRow[];
  backfilled: DoneRow[];
  /** Runs closed as abandoned, as now recorded. */
  closedRuns: RunManifest[];
  /** The task's rows with this commit's. */
  rows: LedgerRow[];
  /** The stages as those rows leave them. */
  stages: StageState[];
  /** The stored plan, as read in the same snapshot. */
  plan: unknown;
}

/** The recovery of a task; null (and nothing written) when the task has no ledger entry. */
export function recoverTaskMutation(issue: number, now: Date, text: ClosedRunText): Mutation<RecoveredTask | null> {
  return async (view) => {
    if ((await readMeta(view, issue)) === null) return { changes: new Map(), message: "", value: null };
    // Recovery decides on derived state: on rows okstra did not all sign it decides nothing, and closes no
    // run either (the run files are not rows, so the append guard alone would not stop it).
    const { rows, untrusted, anySigned } = await readRows(view, issue);
    if (untrusted.length > 0) throw new LedgerUntrustedError(issue, untrusted, !anySigned);
    const reconciled = await reconcileMutation(issue, now)(view);
    const after: LedgerRow[] = [...rows, ...reconciled.value.backfilled, ...reconciled.value.abandoned];
    const stages = deriveStages(after, now);
    const closing = await abandonedRuns(view, issue, after, stages);
    const changes = new Map(reconciled.changes);
    const closedRuns: RunManifest[] = [];
    for (const manifest of closing) {
      const closed = runManifestSchema.parse({
        ...manifest,
        status: "abandoned",
        finishedAt: now.toISOString(),
        outcome: text.outcome(manifest, after),
      });
      changes.set(taskPath(issue, runFile(manifest.id, "run.json")), jsonFileText(closed));
      changes.set(taskPath(issue, runFile(manifest.id, "report.md")), text.report(closed, after));
      closedRuns.push(closed);
    }
    const plan = (await readPlan(view, issue))?.plan;
    const names = closedRuns.map((r) => r.id).join(", ");
    return {
      changes,
      message: closedRuns.length > 0 ? `${reconciled.message}; close ${names} as abandoned` : reconciled.message,
      value: { ...reconciled.value, closedRuns, rows: after, stages, plan },
    };
  };
}

/** Runs still `running` on the ledger that hold no live lease and lost at least one to expiry. */
async function abandonedRuns(
  view: LedgerSnapshot,
  issue: number,
  rows: readonly LedgerRow[],
  stages: readonly StageState[],
): Promise<RunManifest[]> {
  const expiredRuns = new Set(rows.filter((r) => r.status === "abandoned").map((r) => r.run));
  const holding = new Set(stages.filter((s) => s.open).map((s) => s.open!.run));
  const runs: RunManifest[] = [];
  for (const id of [...expiredRuns].sort()) {
    if (holding.has(id)) continue;
    const text = await view.read(taskPath(issue, runFile(id, "run.json")));
    if (text === null) continue;
    const parsed = runManifestSchema.safeParse(JSON.parse(text));
    if (parsed.success && parsed.data.status === "running") runs.push(parsed.data);
  }
  return runs;
}
