import type { Logger } from "../util/log.js";
import { createBullmqQueue, DEFAULT_QUEUE_NAME } from "./bullmq.js";
import { createObservableInProcessQueue } from "./observable-in-process.js";
import type { ObservableJobQueue } from "./observable.js";
import type { JobProcessor } from "./types.js";

/**
 * The web process's queue, chosen by the environment (SPEC §10):
 * - `REDIS_URL` set: BullMQ on that Redis, producer only — `okstra worker`
 *   processes run the jobs — unless `OKSTRA_INLINE_WORKER=1`, which also runs
 *   a Worker here (one process doing both, with Redis for durability);
 * - otherwise: the in-process queue.
 * `OKSTRA_QUEUE_NAME` and `OKSTRA_WORKER_CONCURRENCY` tune either.
 */
export function createQueueFromEnvironment(processor: JobProcessor, log: Logger, env: NodeJS.ProcessEnv = process.env): ObservableJobQueue {
  const concurrency = positiveInteger(env.OKSTRA_WORKER_CONCURRENCY, "OKSTRA_WORKER_CONCURRENCY");
  if (!env.REDIS_URL) return createObservableInProcessQueue(processor, log, { concurrency });
  const inline = env.OKSTRA_INLINE_WORKER === "1";
  const queue = createBullmqQueue({
    connection: env.REDIS_URL,
    log,
    processor: inline ? processor : undefined,
    concurrency,
    queueName: env.OKSTRA_QUEUE_NAME || DEFAULT_QUEUE_NAME,
  });
  log.info({ queue: queue.queueName, mode: queue.mode }, "command queue on Redis");
  return queue;
}

/** Undefined when unset; a typo must not silently become the default. */
export function positiveInteger(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === "") return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`${name} must be a positive integer, got "${value}"`);
  return parsed;
}
