import type { RepoRef } from "../platform/types.js";

/** One accepted `/okstra` comment, as the webhook handler enqueues it. Everything the job needs, nothing secret. */
export interface CommandJob {
  /** `X-GitHub-Delivery` (or `local-…` from the CLI): the de-duplication key. */
  deliveryId: string;
  repo: RepoRef;
  /** Absent for the local platform. */
  installationId?: number;
  issueNumber: number;
  isPullRequest: boolean;
  comment: {
    id: number;
    body: string;
    author: string;
    createdAt: string;
  };
  receivedAt: string;
}

/** The job-queue port: in-process by default, BullMQ when REDIS_URL is set. */
export interface JobQueue {
  /** Resolves once the job is durably queued; false when a job with the same key was already queued or run. */
  enqueue(job: CommandJob): Promise<boolean>;
  /** Resolves when every queued job has finished (tests, graceful shutdown). */
  drain(): Promise<void>;
  close(): Promise<void>;
}

export type JobProcessor = (job: CommandJob) => Promise<void>;

/** One key per comment: a second delivery of the same comment (or a redelivery) is the same job. */
export function jobKey(job: Pick<CommandJob, "repo" | "comment">): string {
  return `${job.repo.owner}/${job.repo.repo}#comment-${job.comment.id}`;
}
