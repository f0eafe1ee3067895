import type {
  CommandJob,
  PullRequestClosedJob,
  QueueJob,
  RecoveryCheckJob,
  ReverifyJob,
  StageBranchMovedJob,
} from "../jobs/types.js";

// The job shapes live in src/jobs (neutral ground); the queue re-exports them for its users.
export type {
  CommandJob,
  JobKind,
  PullRequestClosedJob,
  QueueJob,
  RecoveryCheckJob,
  ReverifyJob,
  StageBranchMovedJob,
} from "../jobs/types.js";

export interface EnqueueOptions {
  /**
   * Run the job no earlier than this many milliseconds from now. A delayed
   * job is a scheduled check, not pending work: `drain()` does not wait for
   * it, and (in-process) it is lost with the process — the start-up sweep
   * covers that.
   */
  delayMs?: number;
}

/** The job-queue port: in-process by default, BullMQ when REDIS_URL is set. */
export interface JobQueue {
  /** Resolves once the job is durably queued; false when a job with the same key was already queued or run. */
  enqueue(job: QueueJob, options?: EnqueueOptions): Promise<boolean>;
  /** Resolves when every queued job has finished (tests, graceful shutdown). */
  drain(): Promise<void>;
  close(): Promise<void>;
}

export type JobProcessor = (job: QueueJob) => Promise<void>;

export type JobKeyInput =
  | Pick<CommandJob, "repo" | "comment" | "reviewComment">
  | Pick<PullRequestClosedJob | ReverifyJob | RecoveryCheckJob | StageBranchMovedJob, "kind" | "repo" | "deliveryId">;

/**
 * One key per comment: a second delivery of the same comment (or a
 * redelivery) is the same job. An event has no comment; its delivery id is
 * unique per event and kept by a redelivery.
 */
export function jobKey(job: JobKeyInput): string {
  // Issue comments and review comments are numbered apart, so a review comment's key says which it is.
  if ("comment" in job)
    return `${job.repo.owner}/${job.repo.repo}#${"reviewComment" in job && job.reviewComment ? "review-comment" : "comment"}-${job.comment.id}`;
  return `${job.repo.owner}/${job.repo.repo}#${job.kind}-${job.deliveryId}`;
}
