import { type QueueSettings, readOperatorSettings } from "../config/settings.js";
import type { Logger } from "../util/log.js";

export { positiveInteger } from "../config/settings.js";
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
export function createQueueFromEnvironment(
  processor: JobProcessor,
  log: Logger,
  env: NodeJS.ProcessEnv = process.env,
): ObservableJobQueue {
  return createQueueFromSettings(processor, log, readOperatorSettings(env).queue);
}

export function createQueueFromSettings(
  processor: JobProcessor,
  log: Logger,
  settings: QueueSettings,
): ObservableJobQueue {
  const { concurrency } = settings;
  if (!settings.redisUrl) return createObservableInProcessQueue(processor, log, { concurrency });
  const queue = createBullmqQueue({
    connection: settings.redisUrl,
    log,
    processor: settings.inlineWorker ? processor : undefined,
    concurrency,
    queueName: settings.queueName ?? DEFAULT_QUEUE_NAME,
  });
  log.info({ queue: queue.queueName, mode: queue.mode }, "command queue on Redis");
  return queue;
}
