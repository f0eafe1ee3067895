import type { RecoveryScheduler } from "../engine/recovery/schedule.js";
import type { RepoRef } from "../platform/types.js";
import type { EnqueueOptions, QueueJob, RecoveryCheckJob } from "./types.js";

/** Puts a job on the queue that runs it, after a delay. Bound once both the processor and its queue exist. */
export type ScheduleJob = (job: QueueJob, options: EnqueueOptions) => Promise<boolean>;

export function recoveryCheckJob(
  repo: RepoRef,
  installationId: number | undefined,
  issueNumber: number,
  dueAt: Date,
  now = new Date(),
): RecoveryCheckJob {
  return {
    kind: "recovery-check",
    deliveryId: `recovery-${issueNumber}-${dueAt.getTime()}`,
    repo,
    installationId,
    issueNumber,
    dueAt: dueAt.toISOString(),
    receivedAt: now.toISOString(),
  };
}

/**
 * The engine's recovery port on a queue: a check is a delayed job. With
 * BullMQ it waits in Redis, so a check scheduled by a process that then dies
 * is run by another worker — the point of it.
 */
export function queueRecoveryScheduler(
  schedule: ScheduleJob,
  repo: RepoRef,
  installationId: number | undefined,
  now: () => Date = () => new Date(),
): RecoveryScheduler {
  return {
    async checkAt(issue, at) {
      await schedule(recoveryCheckJob(repo, installationId, issue, at, now()), {
        delayMs: Math.max(0, at.getTime() - now().getTime()),
      });
    },
  };
}
