import { randomUUID } from "node:crypto";
import { Queue, Worker, type Job, type JobsOptions } from "bullmq";
import { metrics as processMetrics, type OkstraMetrics } from "../server/metrics.js";
import type { Logger } from "../util/log.js";
import type { ObservableJobQueue, QueueDepth } from "./observable.js";
import { withTimeout } from "./timeout.js";
import { jobKey, type JobKeyInput, type JobProcessor, type QueueJob } from "./types.js";

export const DEFAULT_QUEUE_NAME = "okstra-commands";

/**
 * How long finished jobs stay in Redis. A job's id is its comment's key, so
 * while the job is kept, a redelivery of that comment is a duplicate and
 * does not run again. GitHub lets an admin redeliver a webhook for 3 days
 * (GitHub Enterprise Server: 7), so completed jobs are kept 8 days; failed
 * ones 14, for inspection. The count caps bound Redis memory (a job is about
 * 1–2 KiB): past 20,000 commands in 8 days the oldest are trimmed first, and
 * the de-duplication window only falls below 24 h beyond 20,000 commands a
 * day. BullMQ trims lazily, when a later job finishes.
 */
export const RETENTION = {
  removeOnComplete: { age: 8 * 24 * 3600, count: 20_000 },
  removeOnFail: { age: 14 * 24 * 3600, count: 5_000 },
} as const satisfies Pick<JobsOptions, "removeOnComplete" | "removeOnFail">;

export interface BullmqQueueOptions {
  /** `REDIS_URL`, e.g. `redis://:password@redis.internal:6379/0` (`rediss://` for TLS). */
  connection: string;
  log: Logger;
  /** Given ⇒ consumer: a Worker runs jobs here. Absent ⇒ producer only (the web process). */
  processor?: JobProcessor;
  /** Jobs run at once by this process's Worker. */
  concurrency?: number;
  queueName?: string;
  /** Tries per job, the first included; a job whose processor throws is retried with exponential backoff. */
  attempts?: number;
  /** First retry delay; each later one doubles it (10 s, 20 s, 40 s, … by default). */
  backoffMs?: number;
  /** How long a Worker's lock on a running job lasts without renewal (renewed every half of it while the process lives). */
  lockDurationMs?: number;
  /** How often Workers look for jobs whose lock expired (their process died) and put them back. */
  stalledIntervalMs?: number;
  /** `enqueue` gives up after this long, so a webhook answers (500) inside GitHub's 10 s even when Redis is down. */
  enqueueTimeoutMs?: number;
  drainPollMs?: number;
  metrics?: OkstraMetrics;
}

export interface BullmqJobQueue extends ObservableJobQueue {
  readonly backend: "bullmq";
  readonly mode: "producer" | "consumer";
  readonly queueName: string;
  /** Resolves once the Redis connections (and the Worker, in consumer mode) are up. */
  ready(): Promise<void>;
  ping(): Promise<number>;
}

/** What is stored per job: the command, plus the id of the `enqueue` call that stored it (to tell a duplicate apart). */
interface StoredJob {
  job: QueueJob;
  enqueueId: string;
  /** Enqueued with a delay: a scheduled check, which `drain()` does not wait for. */
  scheduled?: boolean;
}

/**
 * The job-queue port on BullMQ. Every web process and every `okstra worker`
 * shares one Redis queue; the job id is derived from `jobKey`, so however
 * many processes receive the same comment, Redis stores one job and one
 * Worker runs it (BullMQ ignores an `add` whose id exists).
 */
export function createBullmqQueue(options: BullmqQueueOptions): BullmqJobQueue {
  const { log, processor } = options;
  const queueName = options.queueName ?? DEFAULT_QUEUE_NAME;
  const metrics = options.metrics ?? processMetrics;
  const defaultJobOptions: JobsOptions = {
    attempts: options.attempts ?? 3,
    backoff: { type: "exponential", delay: options.backoffMs ?? 10_000 },
    ...RETENTION,
  };
  // Fail fast while Redis is unreachable instead of queueing commands in memory: the webhook answers 500 and can be redelivered.
  const queue = new Queue<StoredJob>(queueName, {
    connection: { url: options.connection, enableOfflineQueue: false },
    defaultJobOptions,
  });
  queue.on("error", (error) => log.error({ err: error, queue: queueName }, "queue connection error"));
  const worker = processor ? startWorker(queueName, processor, options, metrics) : undefined;

  async function enqueue(job: QueueJob, delayMs: number): Promise<boolean> {
    const id = bullmqJobId(job);
    const enqueueId = randomUUID();
    const data: StoredJob = delayMs > 0 ? { job, enqueueId, scheduled: true } : { job, enqueueId };
    await queue.add(job.kind ?? "command", data, delayMs > 0 ? { jobId: id, delay: delayMs } : { jobId: id });
    // BullMQ answers an add of an existing id with that id and no sign of the duplicate; the stored enqueueId tells.
    const stored = await queue.getJob(id);
    return stored === undefined || (stored.data as StoredJob).enqueueId === enqueueId;
  }

  async function depth(): Promise<QueueDepth> {
    const counts = await queue.getJobCounts("waiting", "prioritized", "active", "delayed");
    return {
      waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
      active: counts.active ?? 0,
      delayed: counts.delayed ?? 0,
    };
  }

  return {
    backend: "bullmq",
    mode: worker ? "consumer" : "producer",
    queueName,
    async enqueue(job, enqueueOptions) {
      const queued = await withTimeout(
        enqueue(job, Math.max(0, enqueueOptions?.delayMs ?? 0)),
        options.enqueueTimeoutMs ?? 5_000,
        "enqueueing the command in Redis",
      );
      metrics.jobsEnqueuedTotal.inc({ backend: "bullmq", result: queued ? "queued" : "duplicate" });
      return queued;
    },
    depth,
    async ping() {
      const started = performance.now();
      const client = await queue.getBackend().client;
      await client.runCommand("ping", []);
      return Math.round((performance.now() - started) * 10) / 10;
    },
    async ready() {
      await queue.waitUntilReady();
      await worker?.waitUntilReady();
    },
    /**
     * Resolves when Redis holds no unfinished job of this queue, whichever
     * process runs them; in producer mode that needs a running `okstra worker`.
     * Scheduled checks (enqueued with a delay) are not unfinished work; a job
     * waiting out a retry backoff is.
     */
    async drain() {
      for (;;) {
        const { waiting, active, delayed } = await depth();
        // Subtract the scheduled checks rather than count the others: a retry whose backoff ends between the
        // two reads leaves `delayed` for waiting, and must still count as pending until the next look.
        const scheduled =
          delayed === 0 ? 0 : (await queue.getDelayed()).filter((j) => j.data.scheduled && j.attemptsMade === 0).length;
        if (waiting + active + delayed - scheduled <= 0) return;
        await new Promise((resolve) => setTimeout(resolve, options.drainPollMs ?? 200));
      }
    },
    /**
     * Consumer: stops taking jobs and waits for the running ones to finish
     * (BullMQ `worker.close()`); waiting jobs stay in Redis for other workers.
     * Producer: closes the connection; queued jobs are durable, nothing to wait for.
     */
    async close() {
      await worker?.close();
      // While Redis is unreachable QUIT cannot be sent (no offline queue): stop reconnecting instead.
      // Not `queue.disconnect()`: it waits for an "end" event that a reconnecting ioredis never emits.
      await queue.close().catch(async (error: unknown) => {
        log.warn({ err: error, queue: queueName }, "closing the queue without Redis; dropping the connection");
        (await queue.getBackend().client).disconnect(false);
      });
    },
  };
}

function startWorker(
  queueName: string,
  processor: JobProcessor,
  options: BullmqQueueOptions,
  metrics: OkstraMetrics,
): Worker<StoredJob> {
  const { log } = options;
  const worker = new Worker<StoredJob>(
    queueName,
    async (bullJob: Job<StoredJob>) => {
      try {
        await processor(bullJob.data.job);
        metrics.jobsProcessedTotal.inc({ backend: "bullmq", outcome: "completed" });
      } catch (error) {
        metrics.jobsProcessedTotal.inc({ backend: "bullmq", outcome: "error" });
        throw error;
      }
    },
    {
      connection: { url: options.connection },
      concurrency: options.concurrency ?? 2,
      lockDuration: options.lockDurationMs ?? 30_000,
      stalledInterval: options.stalledIntervalMs ?? 30_000,
    },
  );
  worker.on("error", (error) => log.error({ err: error, queue: queueName }, "queue worker error"));
  worker.on("failed", (bullJob, error) => {
    if (!bullJob) return;
    const { job } = bullJob.data;
    const final = bullJob.attemptsMade >= (bullJob.opts.attempts ?? 1);
    log[final ? "error" : "warn"](
      {
        err: error,
        deliveryId: job.deliveryId,
        task: job.issueNumber,
        attempt: bullJob.attemptsMade,
        attempts: bullJob.opts.attempts,
      },
      final ? "job failed after its last attempt" : "job attempt failed; retrying after backoff",
    );
  });
  return worker;
}

/**
 * BullMQ refuses custom ids containing ":" (its key separator) and all-digit
 * ids (they would collide with its own counter). `jobKey` is never all
 * digits; ":" and "%" are percent-encoded so distinct keys stay distinct.
 */
export function bullmqJobId(job: JobKeyInput): string {
  return jobKey(job).replaceAll("%", "%25").replaceAll(":", "%3A");
}
