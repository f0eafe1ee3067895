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
