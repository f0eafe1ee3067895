import type { Logger } from "../util/log.js";
import { jobKey, type EnqueueOptions, type JobProcessor, type JobQueue, type QueueJob } from "./types.js";

export interface InProcessQueueOptions {
  concurrency?: number;
  /** How many recent job keys are remembered for de-duplication. */
  rememberKeys?: number;
}

/**
 * The default queue: jobs run in this process, a few at a time, after the
 * webhook has been answered. Keys of recent jobs are remembered so a
 * redelivered webhook or a second delivery of one comment never runs twice.
 */
export function createInProcessQueue(
  processor: JobProcessor,
  log: Logger,
  options: InProcessQueueOptions = {},
): JobQueue {
  const concurrency = options.concurrency ?? 4;
  const remember = options.rememberKeys ?? 10_000;
  const seen = new Set<string>();
  const waiting: QueueJob[] = [];
  const idleWaiters: Array<() => void> = [];
  const timers = new Set<NodeJS.Timeout>();
  let running = 0;
  let closed = false;

  function pump(): void {
    while (!closed && running < concurrency && waiting.length > 0) {
      const job = waiting.shift()!;
      running++;
      processor(job)
        .catch((error: unknown) =>
          log.error({ err: error, deliveryId: job.deliveryId, task: job.issueNumber }, "job failed"),
        )
        .finally(() => {
          running--;
          pump();
          if (running === 0 && waiting.length === 0) for (const resolve of idleWaiters.splice(0)) resolve();
        });
    }
  }

  return {
    async enqueue(job, options: EnqueueOptions = {}) {
      if (closed) throw new Error("the job queue is closed");
      const key = jobKey(job);
      if (seen.has(key)) return false;
      seen.add(key);
      if (seen.size > remember) seen.delete(seen.values().next().value as string);
      if (options.delayMs && options.delayMs > 0) {
        // A scheduled check must not keep the process alive nor hold up drain().
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (closed) return;
          waiting.push(job);
          pump();
        }, options.delayMs);
        timer.unref();
        timers.add(timer);
        return true;
      }
      waiting.push(job);
      // Start after the current tick so the webhook response is never held up by job work.
      setImmediate(pump);
      return true;
    },
    drain() {
      if (running === 0 && waiting.length === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await this.drain();
      closed = true;
    },
  };
}
