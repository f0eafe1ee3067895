import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import { createQueueFromEnvironment } from "../../src/queue/from-environment.js";
import type { ObservableJobQueue } from "../../src/queue/observable.js";
import type { QueueJob } from "../../src/queue/types.js";
import { silentLogger } from "../../src/util/log.js";
import { describeWithRedis, startRedis, type RedisServer } from "../helpers/redis.js";
import { commandJob } from "./fixtures/child-worker.js";

const open: ObservableJobQueue[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((queue) => queue.close()));
});

function fromEnvironment(env: NodeJS.ProcessEnv, ran: QueueJob[] = []): ObservableJobQueue {
  const queue = createQueueFromEnvironment(async (job) => void ran.push(job), silentLogger, env);
  open.push(queue);
  return queue;
}

describe("createQueueFromEnvironment without REDIS_URL", () => {
  it("runs jobs in this process, once per comment", async () => {
    const ran: QueueJob[] = [];
    const queue = fromEnvironment({}, ran);
    expect(queue.backend).toBe("in-process");
    expect(await queue.enqueue(commandJob(1))).toBe(true);
    expect(await queue.enqueue(commandJob(1, "redelivery"))).toBe(false);
    await queue.drain();
    expect(ran.map((job) => job.deliveryId)).toEqual(["delivery-1"]);
    expect(await queue.depth()).toEqual({ waiting: 0, active: 0, delayed: 0 });
  });

  it("refuses a worker concurrency that is not a positive integer", () => {
    expect(() => fromEnvironment({ OKSTRA_WORKER_CONCURRENCY: "two" })).toThrow(
      'OKSTRA_WORKER_CONCURRENCY must be a positive integer, got "two"',
    );
  });
});

let redis: RedisServer;
describeWithRedis("createQueueFromEnvironment with REDIS_URL", () => {
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it("only produces in the web process: the job waits in Redis for okstra worker", async () => {
    const ran: QueueJob[] = [];
    const queue = fromEnvironment({ REDIS_URL: redis.url, OKSTRA_QUEUE_NAME: "env-producer" }, ran);
    expect(queue.backend).toBe("bullmq");
    expect(await queue.enqueue(commandJob(2))).toBe(true);
    expect(await queue.depth()).toEqual({ waiting: 1, active: 0, delayed: 0 });
    expect(ran).toEqual([]);
  });

  it("also consumes when OKSTRA_INLINE_WORKER=1", async () => {
    const ran: QueueJob[] = [];
    const queue = fromEnvironment(
      { REDIS_URL: redis.url, OKSTRA_QUEUE_NAME: "env-inline", OKSTRA_INLINE_WORKER: "1" },
      ran,
    );
    expect(await queue.enqueue(commandJob(3))).toBe(true);
    await queue.drain();
    expect(ran.map((job) => (job.kind === undefined || job.kind === "command" ? job.comment.id : null))).toEqual([3]);
  });
});
