import { metrics as processMetrics, type OkstraMetrics } from "../server/metrics.js";
import type { Logger } from "../util/log.js";
import { createInProcessQueue, type InProcessQueueOptions } from "./in-process.js";
import type { ObservableJobQueue } from "./observable.js";
import type { JobProcessor, QueueJob } from "./types.js";

/**
 * The in-process queue with its depth visible to `/metrics` and `/healthz`.
 * It counts from outside — around `enqueue` and the processor — so the
 * queue itself stays as simple as it is.
 */
export function createObservableInProcessQueue(
  processor: JobProcessor,
  log: Logger,
  options: InProcessQueueOptions & { metrics?: OkstraMetrics } = {},
): ObservableJobQueue {
  const metrics = options.metrics ?? processMetrics;
  let waiting = 0;
  let active = 0;
  let delayed = 0;
  const scheduled = new WeakSet<QueueJob>();
  const queue = createInProcessQueue(
    async (job) => {
      if (scheduled.delete(job)) delayed--;
      else waiting--;
      active++;
      try {
        await processor(job);
        metrics.jobsProcessedTotal.inc({ backend: "in-process", outcome: "completed" });
      } catch (error) {
        metrics.jobsProcessedTotal.inc({ backend: "in-process", outcome: "error" });
        throw error;
      } finally {
        active--;
      }
    },
    log,
    options,
  );
  return {
    backend: "in-process",
    async enqueue(job, options) {
      const later = (options?.delayMs ?? 0) > 0;
      if (later) scheduled.add(job);
      const queued = await queue.enqueue(job, options);
      // The job starts on a later tick (setImmediate), so it is counted as waiting before it can start.
      if (queued && later) delayed++;
      else if (queued) waiting++;
      else scheduled.delete(job);
      metrics.jobsEnqueuedTotal.inc({ backend: "in-process", result: queued ? "queued" : "duplicate" });
      return queued;
    },
    drain: () => queue.drain(),
    close: () => queue.close(),
    depth: async () => ({ waiting, active, delayed }),
  };
}
