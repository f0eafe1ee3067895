import type { Ledger } from "../../ledger/index.js";
import type { RunManifest, RunPhase, TaskMeta } from "../../ledger/index.js";
import type { CommandJob } from "../../jobs/types.js";

export { DuplicateTriggerError, RUN_PREFIX } from "../../ledger/index.js";

/** The run a comment started, if any: a job run a second time (its process died) must not start or refuse anything. */
export async function runStartedBy(ledger: Ledger, issue: number, commentId: number): Promise<string | null> {
  return (await ledger.runs(issue)).startedBy(commentId);
}

export interface StartRunInput {
  issue: number;
  phase: RunPhase;
  job: CommandJob;
  /** Task meta to create when the task is new (the first `/okstra plan`). */
  newTask?: Omit<TaskMeta, "planVersion" | "createdAt">;
  /** Recorded in run.json: what the workers may see (issue body at trigger time, guidance, …). */
  extra?: Record<string, unknown>;
  now: Date;
}

/** The trigger a run records: the comment that asked for it. */
export function runTrigger(job: CommandJob): { commentId: number; deliveryId: string; actor: string; command: string } {
  return {
    commentId: job.comment.id,
    deliveryId: job.deliveryId,
    actor: job.comment.author,
    command: job.comment.body.split("\n")[0] ?? "",
  };
}

/**
 * Starts a run in one ledger commit (see `Ledger.startRun`). Runs are keyed
 * by their trigger comment, so a redelivered webhook — even one that reaches
 * another process after a restart — finds its run and starts none.
 */
export async function startRun(ledger: Ledger, input: StartRunInput): Promise<RunManifest> {
  const { job, ...rest } = input;
  return (await ledger.startRun({ ...rest, trigger: runTrigger(job) })).manifest;
}
