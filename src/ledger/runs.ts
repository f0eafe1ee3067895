import { claimStagesMutation, jsonFileText, type ClaimRequest, type ClaimResult, type Mutation } from "./mutations.js";
import { runManifestSchema, taskMetaSchema, type RunManifest, type RunPhase, type TaskMeta } from "./files.js";
import { runFile } from "./paths.js";
import type { LedgerSnapshot } from "./store.js";
import { readJson, readMeta, readRows, taskPath } from "./task-ledger.js";
import { z } from "zod";

/**
 * Runs on the ledger (SPEC §1, §4): `runs/<id>/run.json` of each run, read
 * once per question through the ledger's JSON reader (a file that is not JSON
 * is a LedgerCorruptError naming it), and the start of a run — with, for an
 * implementation run, its claim — as one mutation.
 */

/** Run id prefixes (SPEC §1: `<phase>-<seq>`, e.g. `impl-3`). */
export const RUN_PREFIX: Record<RunPhase, string> = {
  planning: "plan",
  implementation: "impl",
  verification: "verify",
  handoff: "ship",
  discovery: "discover",
  "error-analysis": "analyse",
};

/** A second delivery of a comment that already started a run: the run exists, nothing more to do. */
export class DuplicateTriggerError extends Error {
  constructor(readonly runId: string) {
    super(`comment already started run ${runId}`);
    this.name = "DuplicateTriggerError";
  }
}

/** What the task's runs spent: the seed of a new run's budget meter (`budgets.taskUsd` counts every run). */
export interface TaskSpend {
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  calls: number;
}

export interface TaskRun {
  id: string;
  /** null when the file is JSON but not a run manifest (an older shape): listed, never trusted for more. */
  manifest: RunManifest | null;
}

/** Every run of the task, each run.json read once; LedgerCorruptError for one that is not JSON. */
export async function readTaskRuns(view: LedgerSnapshot, issue: number): Promise<TaskRun[]> {
  const runsDir = taskPath(issue, "runs/");
  const paths = view.list(runsDir).filter((p) => /^[^/]+\/run\.json$/.test(p.slice(runsDir.length)));
  return Promise.all(
    paths.map(async (path) => {
      const value = await readJson(view, path, z.unknown());
      const parsed = runManifestSchema.safeParse(value);
      return { id: path.slice(runsDir.length).split("/")[0] ?? "", manifest: parsed.success ? parsed.data : null };
    }),
  );
}

/** The run a comment started, if any. */
export function runStartedBy(runs: readonly TaskRun[], commentId: number): string | null {
  return runs.find((r) => r.manifest?.trigger.commentId === commentId)?.id ?? null;
}

/** The sum of every run's recorded usage. */
export function taskSpend(runs: readonly TaskRun[]): TaskSpend {
  const totals: TaskSpend = { inputTokens: 0, outputTokens: 0, costUsd: 0, calls: 0 };
  for (const { manifest } of runs) {
    const usage = manifest?.usage as (Partial<TaskSpend> & Record<string, unknown>) | undefined;
    if (!usage) continue;
    totals.inputTokens += usage.inputTokens ?? 0;
    totals.outputTokens += usage.outputTokens ?? 0;
    totals.costUsd += usage.costUsd ?? 0;
    totals.calls += typeof usage.calls === "number" ? usage.calls : 0;
  }
  return totals;
}

export interface StartRunInput {
  issue: number;
  phase: RunPhase;
  trigger: { commentId: number; deliveryId: string; actor: string; command: string };
  /** Task meta to create when the task is new (the first `/okstra plan`). */
  newTask?: Omit<TaskMeta, "planVersion" | "createdAt">;
  /** Recorded in run.json: what the workers may see (issue body at trigger time, guidance, …). */
  extra?: Record<string, unknown>;
  now: Date;
}

export interface StartedRun {
  manifest: RunManifest;
  /** The claim made in the same commit, when one was asked for. */
  claim?: ClaimResult;
}

/**
 * Starts a run: creates the task when it is new, allocates the next
 * `<prefix>-<seq>` id and writes `run.json` — and, given a claim, claims the
 * stages for that run in the same commit (all or none: a refused claim starts
 * no run). Runs are keyed by their trigger comment: a redelivered webhook
 * finds its run (DuplicateTriggerError) and starts none.
 */
export function startRunMutation(input: StartRunInput, claim?: Omit<ClaimRequest, "run">): Mutation<StartedRun> {
  const { issue, phase, now } = input;
  const prefix = RUN_PREFIX[phase];
  return async (view) => {
    await readRows(view, issue); // a corrupt ledger refuses every write of the task
    const changes = new Map<string, string | null>();
    if (!(await readMeta(view, issue))) {
      if (!input.newTask) throw new Error(`task #${issue} has no ledger entry`);
      const created = taskMetaSchema.parse({ ...input.newTask, planVersion: 0, createdAt: now.toISOString() });
      changes.set(taskPath(issue, "task.json"), `${JSON.stringify(created, null, 2)}\n`);
    }
    let highest = 0;
    for (const { id, manifest } of await readTaskRuns(view, issue)) {
      if (manifest?.trigger.commentId === input.trigger.commentId) throw new DuplicateTriggerError(id);
      const seq = new RegExp(`^${prefix}-(\\d+)$`).exec(id);
      if (seq) highest = Math.max(highest, Number(seq[1]));
    }
    const manifest = runManifestSchema.parse({
      id: `${prefix}-${highest + 1}`,
      phase,
      trigger: input.trigger,
      status: "running",
      startedAt: now.toISOString(),
      ...input.extra,
    });
    changes.set(taskPath(issue, runFile(manifest.id, "run.json")), `${JSON.stringify(manifest, null, 2)}\n`);
    if (!claim) return { changes, message: `ledger(#${issue}): start ${manifest.id}`, value: { manifest } };
    const claimed = await claimStagesMutation(issue, { ...claim, run: manifest.id }, now)(view);
    for (const [path, text] of claimed.changes) changes.set(path, text);
    const message = `ledger(#${issue}): start ${manifest.id}, claiming stage ${claim.stages.join(", ")}`;
    return { changes, message, value: { manifest, claim: claimed.value } };
  };
}

export interface VerificationRunStart {
  issue: number;
  /** run.json's `trigger`: what started the run, with the fields every run has. */
  trigger: Record<string, unknown>;
  /**
   * Whether a recorded run's trigger is this one: a verification run has several kinds of trigger (a comment,
   * an implementation run, a webhook delivery), each de-duplicated by what identifies it — the engine's rule.
   */
  sameTrigger: (recorded: Record<string, unknown>) => boolean;
  stages: number[];
  now: Date;
  extra?: Record<string, unknown>;
}

/**
 * Starts a verification run (`verify-<n>`, with its batch) in one commit; DuplicateTriggerError when a run of
 * the same trigger exists. Unlike `startRunMutation`, runs are not keyed by a comment: not every trigger is one.
 */
export function startVerificationRunMutation(input: VerificationRunStart): Mutation<RunManifest> {
  const { issue } = input;
  const prefix = RUN_PREFIX.verification;
  return async (view) => {
    await readRows(view, issue); // a corrupt ledger refuses every write of the task
    if (!(await readMeta(view, issue))) throw new Error(`task #${issue} has no ledger entry`);
    let highest = 0;
    const runsDir = taskPath(issue, "runs/");
    for (const path of view.list(runsDir).filter((p) => p.endsWith("/run.json"))) {
      const id = path.slice(runsDir.length).split("/")[0]!;
      const seq = new RegExp(`^${prefix}-(\\d+)$`).exec(id);
      if (!seq) continue;
      highest = Math.max(highest, Number(seq[1]));
      const manifest = runManifestSchema.safeParse(JSON.parse((await view.read(path)) ?? "{}"));
      if (manifest.success && input.sameTrigger(manifest.data.trigger)) throw new DuplicateTriggerError(id);
    }
    const manifest = runManifestSchema.parse({
      id: `${prefix}-${highest + 1}`,
      phase: "verification",
      trigger: input.trigger,
      status: "running",
      startedAt: input.now.toISOString(),
      batch: input.stages,
      ...input.extra,
    });
    const changes = new Map<string, string | null>([
      [taskPath(issue, runFile(manifest.id, "run.json")), jsonFileText(manifest)],
    ]);
    return { changes, message: `ledger(#${issue}): start ${manifest.id}`, value: manifest };
  };
}
