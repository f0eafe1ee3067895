import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import { createBullmqQueue, type BullmqJobQueue } from "../../src/queue/bullmq.js";
import { createObservableInProcessQueue } from "../../src/queue/observable-in-process.js";
import { queueRecoveryScheduler, recoveryCheckJob } from "../../src/queue/recovery-jobs.js";
import type { QueueJob } from "../../src/queue/types.js";
import { createMetrics } from "../../src/server/metrics.js";
import { silentLogger } from "../../src/util/log.js";
import { describeWithRedis, startRedis, type RedisServer } from "../helpers/redis.js";
import { commandJob } from "./fixtures/child-worker.js";

/**
 * Scheduled jobs (crash-recovery checks, SPEC §10): a job enqueued with a
 * delay runs once, no earlier than asked, is de-duplicated per task and due
 * time, and is not "pending work" — `drain()` does not wait for it.
 */

const REPO = { owner: "Codertocat", repo: "Hello-World" };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

describe("in-process queue", () => {
  it("runs a delayed job once after its delay, without holding up drain, and reports it as delayed meanwhile", async () => {
    const ran: Array<{ job: QueueJob; at: number }> = [];
    const queue = createObservableInProcessQueue(async (job) => void ran.push({ job, at: Date.now() }), silentLogger, {
      metrics: createMetrics(),
    });
    const scheduler = queueRecoveryScheduler((job, options) => queue.enqueue(job, options), REPO, 7);
    const due = new Date(Date.now() + 400);
    const scheduledAt = Date.now();
    await scheduler.checkAt(1, due);
    await scheduler.checkAt(1, due); // the same task and due time: one check
    expect(await queue.enqueue(commandJob(1))).toBe(true);

    await queue.drain();
    expect(ran.map((r) => r.job.kind ?? "command")).toEqual(["command"]);
    expect(await queue.depth()).toEqual({ waiting: 0, active: 0, delayed: 1 });

    await until(() => ran.length === 2, "the scheduled check");
    expect(ran[1].job).toMatchObject({
      kind: "recovery-check",
      issueNumber: 1,
      installationId: 7,
      dueAt: due.toISOString(),
      deliveryId: `recovery-1-${due.getTime()}`,
    });
    expect(ran[1].at - scheduledAt).toBeGreaterThanOrEqual(390);
    await sleep(100);
    expect(ran).toHaveLength(2);
    expect(await queue.depth()).toEqual({ waiting: 0, active: 0, delayed: 0 });
    await queue.close();
  });

  it("drops scheduled jobs on close: nothing runs after the queue is closed", async () => {
    const ran: QueueJob[] = [];
    const queue = createObservableInProcessQueue(async (job) => void ran.push(job), silentLogger, {
      metrics: createMetrics(),
    });
    await queue.enqueue(recoveryCheckJob(REPO, undefined, 2, new Date()), { delayMs: 100 });
    await queue.close();
    await sleep(250);
    expect(ran).toEqual([]);
  });
});

let redis: RedisServer;
const open: BullmqJobQueue[] = [];
beforeAll(async () => {
  redis = await startRedis();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((q) => q.close()));
});
afterAll(async () => {
  await redis?.stop();
});

describeWithRedis("BullMQ queue", () => {
  it("keeps a scheduled check in Redis for whichever worker is alive when it is due, once, and drain does not wait for it", async () => {
    const queueName = `okstra-scheduled-${Date.now()}`;
    const producer = createBullmqQueue({
      connection: redis.url,
      log: silentLogger,
      metrics: createMetrics(),
      queueName,
    });
    open.push(producer);
    await producer.ready();
    const due = new Date(Date.now() + 1_500);
    const scheduler = queueRecoveryScheduler((job, options) => producer.enqueue(job, options), REPO, 7);
    await scheduler.checkAt(3, due);
    await scheduler.checkAt(3, due);
    expect(await producer.depth()).toEqual({ waiting: 0, active: 0, delayed: 1 });
    // Nothing is pending work: drain returns at once although a check waits in Redis.
    const drained = Date.now();
    await producer.drain();
    expect(Date.now() - drained).toBeLessThan(1_000);

    // The producer that scheduled it goes away; a worker started later runs the check when it is due.
    await producer.close();
    open.splice(0);
    const ran: Array<{ job: QueueJob; at: number }> = [];
    const worker = createBullmqQueue({
      connection: redis.url,
      log: silentLogger,
      metrics: createMetrics(),
      queueName,
      processor: async (job) => void ran.push({ job, at: Date.now() }),
    });
    open.push(worker);
    await worker.ready();
    await until(() => ran.length === 1, "the scheduled check to run");
    expect(ran[0].job).toMatchObject({ kind: "recovery-check", issueNumber: 3, dueAt: due.toISOString() });
    expect(ran[0].at).toBeGreaterThanOrEqual(due.getTime() - 50);
    await sleep(300);
    expect(ran).toHaveLength(1);
  }, 30_000);
});
