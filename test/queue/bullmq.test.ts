import { afterAll, afterEach, beforeAll, expect, it } from "@jest/globals";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Queue } from "bullmq";
import {
  bullmqJobId,
  createBullmqQueue,
  type BullmqJobQueue,
  type BullmqQueueOptions,
} from "../../src/queue/bullmq.js";
import { jobKey, type JobProcessor } from "../../src/queue/types.js";
import { createMetrics } from "../../src/server/metrics.js";
import { silentLogger } from "../../src/util/log.js";
import { describeWithRedis, startRedis, type RedisServer } from "../helpers/redis.js";
import { commandJob, startChildWorker } from "./fixtures/child-worker.js";
import { readRecords, recordingProcessor } from "./fixtures/recording-processor.js";

let redis: RedisServer;
let dir: string;
let queueCount = 0;
const open: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  redis = await startRedis();
  dir = mkdtempSync(join(tmpdir(), "okstra-bullmq-"));
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((queue) => queue.close()));
});
afterAll(async () => {
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A fresh queue name per test, so no test sees another's jobs. */
function names() {
  queueCount++;
  return { queueName: `okstra-test-${queueCount}`, outFile: join(dir, `records-${queueCount}.jsonl`) };
}

function bullmq(options: Omit<BullmqQueueOptions, "connection" | "log">): BullmqJobQueue {
  const queue = createBullmqQueue({ connection: redis.url, log: silentLogger, metrics: createMetrics(), ...options });
  open.push(queue);
  return queue;
}

/** BullMQ's own view of a job, to check its state and attempts. */
async function storedJob(queueName: string, commentId: number) {
  const inspector = new Queue(queueName, { connection: { url: redis.url } });
  open.push(inspector);
  const job = await inspector.getJob(bullmqJobId(commandJob(commentId)));
  return { job, state: await job?.getState() };
}

describeWithRedis("BullMQ queue on a real redis-server", () => {
  it("runs each comment's job exactly once across two producers and two workers, one in another process", async () => {
    const { queueName, outFile } = names();
    // Every job is held until both workers have started one, so both provably take part.
    const child = await startChildWorker({
      redisUrl: redis.url,
      queueName,
      outFile,
      args: ["--concurrency", "2"],
      env: { BARRIER_WORKERS: "2" },
    });
    bullmq({ queueName, processor: recordingProcessor(outFile, "test", { barrierWorkers: 2 }), concurrency: 2 });
    const webA = bullmq({ queueName });
    const webB = bullmq({ queueName });
    await Promise.all([webA.ready(), webB.ready()]);

    // Each of 12 comments arrives four times: twice at each web process, with GitHub's delivery id and a redelivery's.
    const comments = Array.from({ length: 12 }, (_, i) => 1000 + i);
    const results = await Promise.all(
      comments.map(async (id) => {
        const deliveries = [
          webA.enqueue(commandJob(id)),
          webB.enqueue(commandJob(id)),
          webA.enqueue(commandJob(id, `redelivery-${id}`)),
          webB.enqueue(commandJob(id, `redelivery-${id}`)),
        ];
        return (await Promise.all(deliveries)).filter(Boolean).length;
      }),
    );
    expect(results).toEqual(comments.map(() => 1));
    await webA.drain();

    const ends = readRecords(outFile).filter((r) => r.event === "end");
    expect(ends.map((r) => r.key).sort()).toEqual(comments.map((id) => jobKey(commandJob(id))).sort());
    expect(new Set(ends.map((r) => r.pid)).size).toBe(2);

    // A redelivery after the job ran is still recognised: the finished job is kept (RETENTION).
    expect(await webB.enqueue(commandJob(comments[0], "late-redelivery"))).toBe(false);
    child.child.kill("SIGTERM");
    expect(await child.exited).toBe(0);
    expect(readRecords(outFile).filter((r) => r.event === "start")).toHaveLength(comments.length);
  });

  it("retries a failing job with exponential backoff, then completes it", async () => {
    const { queueName } = names();
    const attempts: number[] = [];
    const flaky: JobProcessor = async () => {
      attempts.push(Date.now());
      if (attempts.length < 3) throw new Error("GitHub answered 502");
    };
    const queue = bullmq({ queueName, processor: flaky, attempts: 3, backoffMs: 200 });
    expect(await queue.enqueue(commandJob(2001))).toBe(true);
    await queue.drain();

    expect(attempts).toHaveLength(3);
    // Exponential: the second wait is twice the first (lower bounds only — a slow machine only makes them longer).
    expect(attempts[1] - attempts[0]).toBeGreaterThanOrEqual(180);
    expect(attempts[2] - attempts[1]).toBeGreaterThanOrEqual(380);
    const { job, state } = await storedJob(queueName, 2001);
    expect(state).toBe("completed");
    expect(job?.attemptsMade).toBe(3);
  });

  it("marks a job failed once its attempts are spent, and still treats its comment as seen", async () => {
    const { queueName } = names();
    let calls = 0;
    const alwaysFails: JobProcessor = async () => {
      calls++;
      throw new Error("the engine crashed");
    };
    const queue = bullmq({ queueName, processor: alwaysFails, attempts: 2, backoffMs: 50 });
    await queue.enqueue(commandJob(2101));
    await queue.drain();
    expect(calls).toBe(2);
    expect((await storedJob(queueName, 2101)).state).toBe("failed");
    expect(await queue.enqueue(commandJob(2101, "redelivered"))).toBe(false);
  });

  it("on SIGTERM, okstra worker stops taking jobs and finishes the one it is running", async () => {
    const { queueName, outFile } = names();
    const child = await startChildWorker({
      redisUrl: redis.url,
      queueName,
      outFile,
      args: ["--concurrency", "1"],
      env: { JOB_HOLD_MS: "1500" },
    });
    const web = bullmq({ queueName });
    await web.enqueue(commandJob(3001));
    await waitFor(() => readRecords(outFile).some((r) => r.event === "start"));
    await web.enqueue(commandJob(3002));

    child.child.kill("SIGTERM");
    expect(await child.exited).toBe(0);
    expect(readRecords(outFile).map((r) => `${r.event} ${r.key}`)).toEqual([
      `start ${jobKey(commandJob(3001))}`,
      `end ${jobKey(commandJob(3001))}`,
    ]);
    expect((await storedJob(queueName, 3001)).state).toBe("completed");
    // The job queued during shutdown was not taken: it waits in Redis for the next worker.
    expect((await storedJob(queueName, 3002)).state).toBe("waiting");
  });

  it("when a job outlives the grace period, the worker exits and the job runs again elsewhere once its lock expires", async () => {
    const { queueName, outFile } = names();
    const child = await startChildWorker({
      redisUrl: redis.url,
      queueName,
      outFile,
      args: ["--grace-period", "1"],
      env: { WORKER_NAME: "stuck", JOB_HOLD_MS: "600000", FIXTURE_LOCK_MS: "1000" },
    });
    const web = bullmq({ queueName });
    await web.enqueue(commandJob(4001));
    await waitFor(() => readRecords(outFile).some((r) => r.event === "start"));
    child.child.kill("SIGTERM");
    expect(await child.exited).toBe(1);

    bullmq({
      queueName,
      processor: recordingProcessor(outFile, "rescuer"),
      lockDurationMs: 1000,
      stalledIntervalMs: 500,
    });
    await web.drain();
    expect(readRecords(outFile).map((r) => `${r.worker} ${r.event}`)).toEqual([
      "stuck start",
      "rescuer start",
      "rescuer end",
    ]);
    expect((await storedJob(queueName, 4001)).state).toBe("completed");
  });

  it("closing a consumer waits for its running job", async () => {
    const { queueName } = names();
    let finished = false;
    const queue = bullmq({
      queueName,
      processor: async () => new Promise<void>((resolve) => setTimeout(() => ((finished = true), resolve()), 300)),
    });
    await queue.enqueue(commandJob(5001));
    await waitFor(async () => (await queue.depth()).active === 1);
    await queue.close();
    expect(finished).toBe(true);
  });

  it("reports depth and answers a ping", async () => {
    const { queueName } = names();
    const web = bullmq({ queueName });
    await web.enqueue(commandJob(6001));
    await web.enqueue(commandJob(6002));
    expect(await web.depth()).toEqual({ waiting: 2, active: 0, delayed: 0 });
    expect(await web.ping()).toBeGreaterThanOrEqual(0);
    expect(web.mode).toBe("producer");
  });

  it("derives job ids BullMQ accepts, distinct for distinct comments", () => {
    const id = bullmqJobId({
      repo: { owner: "a:b", repo: "c%3Ad" },
      comment: { id: 7, body: "", author: "", createdAt: "" },
    });
    expect(id).not.toContain(":");
    expect(id).not.toBe(
      bullmqJobId({ repo: { owner: "a%3Ab", repo: "c:d" }, comment: { id: 7, body: "", author: "", createdAt: "" } }),
    );
  });
});

async function waitFor(condition: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1500; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error("condition not met within 30 s");
}
