import { metrics as processMetrics, type OkstraMetrics } from "../server/metrics.js";
import type { Logger } from "../util/log.js";
import { createInProcessQueue, type InProcessQueueOptions } from "./in-process.js";
import type { ObservableJobQueue } from "./observable.js";
import type { JobProcessor } from "./types.js";

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
  const queue = createInProcessQueue(
    async (job) => {
      waiting--;
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
    async enqueue(job) {
      const queued = await queue.enqueue(job);
      // The job starts on a later tick (setImmediate), so it is counted as waiting before it can start.
      if (queued) waiting++;
      metrics.jobsEnqueuedTotal.inc({ backend: "in-process", result: queued ? "queued" : "duplicate" });
      return queued;
    },
    drain: () => queue.drain(),
    close: () => queue.close(),
    depth: async () => ({ waiting, active, delayed: 0 }),
  };
}
