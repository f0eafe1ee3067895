import {
  LedgerUntrustedError,
  recoverTaskMutation,
  runFile,
  type AbandonedRow,
  type DoneRow,
  type LedgerRow,
  type RecoveredTask,
  type RunManifest,
} from "../../ledger/index.js";
import { type EngineServiceOptions, type EngineServices, engineServices } from "../context.js";
import type { PhaseStep, RunState } from "../run/run-state.js";
import { renderRunStatus, runStatusMarker } from "../../render/run-status.js";
import { sandboxOffNotice } from "../../sandbox/index.js";
import { recoveryGraceMs } from "./schedule.js";

/**
 * Crash recovery of one task (SPEC §10), run by the scheduled check and the
 * start-up sweep:
 * 1. in one ledger commit: expired leases become `abandoned` rows (their
 *    stages are ready again), complete carries without `done` are
 *    backfilled, and every run that lost all its leases this way while its
 *    run.json still says `running` is closed as `abandoned`, with a report;
 * 2. each closed run's status comment (found by its marker) is rewritten to
 *    say what happened and what to type next;
 * 3. while a lease is still alive, the next check is due after it.
 * Running it again changes nothing: an already-closed run is not "running".
 * The dead process's workspace is its own host's to clean
 * (`sweepOrphanedWorkspaces`); nothing here can reach that disk.
 */

export interface RecoveryResult {
  abandoned: AbandonedRow[];
  backfilled: DoneRow[];
  /** Runs closed as abandoned, as now recorded. */
  closedRuns: RunManifest[];
  /** When the next check is due (the latest live lease plus grace), or null when no stage is held. */
  nextCheckAt: Date | null;
}

const NOTHING: RecoveryResult = { abandoned: [], backfilled: [], closedRuns: [], nextCheckAt: null };

export async function recoverTask(options: EngineServiceOptions, issue: number): Promise<RecoveryResult> {
  const services = engineServices(options);
  const { ledger, log } = services;
  const now = services.now();
  const closedRunText = {
    outcome: abandonedOutcome,
    report: (closed: RunManifest, rows: readonly LedgerRow[]) => abandonedReport(closed, rows, now),
  };
  const outcome = await ledger.mutate(recoverTaskMutation(issue, now, closedRunText)).catch((error: unknown) => {
    // Recovery decides on derived state: on a task holding state okstra did not write it decides
    // nothing and writes nothing, so reverting the forgery stays the whole repair. The next
    // command on the task is refused, naming the commit to revert.
    if (!(error instanceof LedgerUntrustedError)) throw error;
    log.warn({ task: issue, err: error }, "crash recovery skipped: the task holds ledger state okstra did not write");
    return null;
  });
  if (outcome === null) return NOTHING;
  // What the comments show is what this commit recorded: no second read of the ledger.
  const { titles, rows, ...result } = recovered(outcome.value, recoveryGraceMs(services.leaseMs));
  services.metrics?.stagesAbandonedTotal.inc(result.abandoned.length);
  if (result.abandoned.length > 0 || result.closedRuns.length > 0) {
    log.warn(
      {
        abandoned: result.abandoned.map((r) => ({ run: r.run, stage: r.stage })),
        closed: result.closedRuns.map((r) => r.id),
      },
      "crash recovery: expired leases recorded as abandoned",
    );
  }
  for (const manifest of result.closedRuns) {
    await showAbandoned(services, issue, manifest, { titles, rows }, now).catch((error: unknown) =>
      log.error(
        { err: error, task: issue, run: manifest.id },
        "could not update the status comment of an abandoned run",
      ),
    );
  }
  return result;
}

/** What the recovery recorded, with when the next check is due and the plan's stage titles for the comments. */
function recovered(
  value: RecoveredTask | null,
  graceMs: number,
): RecoveryResult & { titles: Map<number, string>; rows: LedgerRow[] } {
  if (value === null) return { ...NOTHING, titles: new Map<number, string>(), rows: [] as LedgerRow[] };
  const { abandoned, backfilled, closedRuns, rows, stages, plan } = value;
  const live = stages.filter((s) => s.claim).map((s) => Date.parse(s.claim!.leaseUntil));
  const nextCheckAt = live.length > 0 ? new Date(Math.max(...live) + graceMs) : null;
  const planned = (plan as { stages?: Array<{ number?: unknown; title?: unknown }> } | undefined)?.stages ?? [];
  const titles = new Map<number, string>(
    planned.map((s) => [Number(s.number), typeof s.title === "string" ? s.title : ""]),
  );
  return { abandoned, backfilled, closedRuns, nextCheckAt, titles, rows };
}

function stageOutcomes(
  manifest: RunManifest,
  rows: readonly LedgerRow[],
): Array<{ stage: number; row: LedgerRow | undefined }> {
  return (manifest.batch ?? []).map((stage) => ({
    stage,
    // The run's last word on the stage: done, failed or the abandonment just recorded.
    row: [...rows]
      .reverse()
      .find(
        (r) =>
          r.run === manifest.id &&
          "stage" in r &&
          r.stage === stage &&
          (r.status === "done" || r.status === "failed" || r.status === "abandoned"),
      ),
  }));
}

function abandonedOutcome(manifest: RunManifest, rows: readonly LedgerRow[]): string {
  const lost = stageOutcomes(manifest, rows)
    .filter((o) => o.row?.status === "abandoned")
    .map((o) => o.stage);
  return `abandoned: the process running it stopped; lease${lost.length === 1 ? "" : "s"} on stage ${lost.join(", ")} expired`;
}

function abandonedReport(manifest: RunManifest, rows: readonly LedgerRow[], now: Date): string {
  const lines = [
    `# Run ${manifest.id} — abandoned`,
    "",
    `- Trigger: \`${manifest.trigger.command}\` by @${manifest.trigger.actor}`,
    `- Started: ${manifest.startedAt}`,
    `- Closed by crash recovery: ${now.toISOString()}`,
    "",
    "The process running this run stopped without finishing it (a crash, a kill or a restart): it stopped renewing its stage leases, and they expired without a `done` or `failed` row.",
    "",
    "| stage | recorded |",
    "|---|---|",
  ];
  for (const { stage, row } of stageOutcomes(manifest, rows)) {
    const what = !row
      ? "not started"
      : row.status === "abandoned"
        ? `abandoned — ${row.reason}`
        : row.status === "done"
          ? `done at \`${row.headCommit.slice(0, 12)}\``
          : row.status === "failed"
            ? `failed — ${row.reason}`
            : row.status;
    lines.push(`| ${stage} | ${what} |`);
  }
  lines.push(
    "",
    "Abandoned stages are ready again. Whatever the executor had pushed to a stage branch stays there, and `/okstra retry` continues from it.",
  );
  return `${lines.join("\n")}\n`;
}

/** Rewrites the run's status comment (or writes one, if the run died before its first) with the final, abandoned state. */
async function showAbandoned(
  services: EngineServices,
  issue: number,
  manifest: RunManifest,
  recorded: { titles: Map<number, string>; rows: readonly LedgerRow[] },
  now: Date,
): Promise<void> {
  const { platform, ledger } = services;
  const { titles, rows } = recorded;
  const phases: PhaseStep[] = stageOutcomes(manifest, rows).map(({ stage, row }) => {
    const name = `Stage ${stage}${titles.get(stage) ? ` · ${titles.get(stage)}` : ""}`;
    if (row?.status === "done")
      return { name, state: "done", detail: `\`${row.headCommit.slice(0, 12)}\` on \`${row.branch}\`` };
    if (row?.status === "failed") return { name, state: "failed", detail: `${row.reason}` };
    if (row?.status === "abandoned") return { name, state: "failed", detail: `abandoned: ${row.reason}` };
    return { name, state: "skipped" };
  });
  const state: RunState = {
    command: manifest.trigger.command,
    runId: manifest.id,
    triggerCommentId: manifest.trigger.commentId,
    outcome: "abandoned",
    phases,
    workers: [],
    startedAt: manifest.startedAt,
    finishedAt: now.toISOString(),
    body: [
      "The process running this run stopped before it finished (a crash, a kill or a restart), so okstra recorded its unfinished stages as **abandoned**; they are ready again.",
      "",
      "Whatever the executor had pushed stays on its stage branch. Next: `/okstra retry` continues from there, or `/okstra status`.",
    ].join("\n"),
    links: [{ label: "report", url: ledger.fileUrl(issue, runFile(manifest.id, "report.md")) }],
  };
  const body = renderRunStatus(state, now, { unconfined: sandboxOffNotice() });
  const marker = runStatusMarker({ runId: manifest.id, triggerCommentId: manifest.trigger.commentId });
  // Only an App's own comment carries the marker legitimately; a person quoting one is not edited.
  const existing = (await platform.listIssueComments(issue)).find(
    (c) => c.author.endsWith("[bot]") && c.body.startsWith(marker),
  );
  if (existing) await platform.updateComment(existing.id, body);
  else await platform.createComment(issue, body);
}
