import type { JobQueue } from "./types.js";

export type QueueBackend = "in-process" | "bullmq";

/** Jobs not yet finished, by state; `delayed` holds jobs waiting out a retry backoff. */
export interface QueueDepth {
  waiting: number;
  active: number;
  delayed: number;
}

/**
 * A queue that `/metrics` and `/healthz` can look into. Kept apart from the
 * `JobQueue` port so the handlers and the engine never depend on it.
 */
export interface ObservableJobQueue extends JobQueue {
  readonly backend: QueueBackend;
  depth(): Promise<QueueDepth>;
  /** Round trip to the backing store in milliseconds (rejects when it is unreachable); absent when there is none. */
  ping?(): Promise<number>;
}

/** True for the queues okstra builds (in-process, BullMQ); a test's stand-in queue may not be observable. */
export function isObservableQueue(queue: JobQueue): queue is ObservableJobQueue {
  const candidate = queue as Partial<ObservableJobQueue>;
  return typeof candidate.depth === "function" && typeof candidate.backend === "string";
}
