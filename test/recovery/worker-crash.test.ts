import { afterAll, expect, it } from "@jest/globals";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { LedgerRow } from "../../src/ledger/rows.js";
import { createBullmqQueue, type BullmqJobQueue } from "../../src/queue/bullmq.js";
import { createMetrics } from "../../src/server/metrics.js";
import { silentLogger } from "../../src/util/log.js";
import { createSharedE2eWorld, type SharedE2eWorld } from "../github-e2e/shared-world.js";
import { describeWithRedis, startRedis, type RedisServer } from "../helpers/redis.js";
import { startChildWorker, type ChildWorker } from "../queue/fixtures/child-worker.js";

/**
 * Fault injection with real processes (SPEC §10, the reliability issue's
 * first "must show"): two `okstra worker` processes on one machine share a
 * real Redis and the fake GitHub served over HTTP. The worker running
 * `/okstra implement --stage 1` is SIGKILLed while its `command` executor is
 * mid-way (one commit made, then sleeping). Nothing of the dead process
 * runs again. The surviving worker must, on its own:
 *   - run the recovery check the dead run scheduled in Redis, after the lease
 *     expired: an `abandoned` row, the run closed, its status comment final;
 *   - sweep the dead run's clone directory and kill the executor still in it;
 *   - run the dead worker's stalled job again without starting a second run;
 * and `/okstra retry` must then complete the stage: one `done`, no duplicate.
 */

const QUEUE = "worker-crash";
const LEASE_SECONDS = 6;

let redis: RedisServer | undefined;
let world: SharedE2eWorld | undefined;
const workers: ChildWorker[] = [];
let producer: BullmqJobQueue | undefined;

afterAll(async () => {
  await producer?.close();
  for (const worker of workers) {
    if (worker.child.exitCode === null && worker.child.signalCode === null) {
      worker.child.kill("SIGKILL");
      await worker.exited;
    }
  }
  await world?.dispose();
  await redis?.stop();
});

async function until<T>(check: () => Promise<T | false | undefined | null>, what: string, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describeWithRedis("kill -9 of an okstra worker mid-stage", () => {
  it("after the lease expires the other worker records it abandoned, closes the run, cleans up the clone and its executor; a retry completes the stage once", async () => {
    [redis, world] = await Promise.all([
      startRedis(),
      createSharedE2eWorld({ executorFlags: "--mode commit-then-sleep --only-stage 1 --until-retry yes" }),
    ]);
    const w = world;
    const env: Record<string, string> = {
      ...w.childEnv(),
      OKSTRA_LEASE_SECONDS: String(LEASE_SECONDS),
      FIXTURE_SWEEP_MS: "1000",
      FIXTURE_LOCK_MS: "3000",
    };
    // One machine: both workers share TMPDIR (run directories) and the mirror cache.
    workers.push(
      await startChildWorker({
        redisUrl: redis.url,
        queueName: QUEUE,
        outFile: "/dev/null",
        env: { ...env, WORKER_NAME: "a" },
      }),
    );
    workers.push(
      await startChildWorker({
        redisUrl: redis.url,
        queueName: QUEUE,
        outFile: "/dev/null",
        env: { ...env, WORKER_NAME: "b" },
      }),
    );
    producer = createBullmqQueue({
      connection: redis.url,
      log: silentLogger,
      metrics: createMetrics(),
      queueName: QUEUE,
    });
    const run = async (body: string) => {
      expect(await producer!.enqueue(w.commandJob(body))).toBe(true);
      await producer!.drain();
    };
    const rows = async () =>
      ((await w.bare.fileAt("okstra/ledger", "tasks/1/ledger.jsonl")) ?? "")
        .trim()
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as LedgerRow & Record<string, any>);
    const runsRoot = path.join(env.TMPDIR, "okstra-runs");
    const runDirectories = async () => (await readdir(runsRoot).catch(() => [] as string[])).sort();
    const statusOf = (run: string) =>
      w.github.comments.find((c) => c.user.type === "Bot" && c.body.includes(`okstra:run-status {"run":"${run}"`));

    await run("/okstra plan");
    await run("/okstra approve");
    expect(await producer.enqueue(w.commandJob("/okstra implement --stage 1"))).toBe(true);

    // Mid-stage: the executor has made its first commit and sleeps in the run's clone.
    await until(
      async () => (await w.processesInWorld()).some((p) => /(^|\s)sleep 600$/.test(p.command)),
      "the executor to be mid-stage",
    );
    const [directory] = await runDirectories();
    expect(directory).toMatch(/impl-1/);
    const owner = JSON.parse(await readFile(path.join(runsRoot, directory, "okstra-owner.json"), "utf8")) as {
      pid: number;
    };
    const victim = workers.find((worker) => worker.child.pid === owner.pid)!;
    const survivor = workers.find((worker) => worker !== victim)!;
    expect(victim).toBeDefined();
    expect(statusOf("impl-1")?.body).toContain("⏳ running");

    victim.child.kill("SIGKILL");
    expect(await victim.exited).toBeNull();
    expect(victim.child.signalCode).toBe("SIGKILL");

    // The survivor runs the recovery check the dead run left in Redis, once the lease has run out.
    const abandoned = await until(
      async () => (await rows()).find((r) => r.status === "abandoned"),
      "the abandoned row",
      90_000,
    );
    expect(abandoned).toMatchObject({ run: "impl-1", stage: 1, reason: expect.stringMatching(/^lease expired at /) });
    const manifest = JSON.parse((await w.bare.fileAt("okstra/ledger", "tasks/1/runs/impl-1/run.json"))!);
    expect(manifest.status).toBe("abandoned");
    const status = await until(
      async () => statusOf("impl-1")?.body.includes("💥 abandoned") && statusOf("impl-1")!,
      "the status comment to say abandoned",
    );
    expect(status.body).toContain("`/okstra retry`");
    expect(status.history.length).toBeGreaterThan(1); // edited in place, not a new comment

    // The survivor's sweeper removed the dead run's clone and killed the executor that outlived its worker.
    await until(
      async () =>
        (await runDirectories()).length === 0 && !(await w.processesInWorld()).some((p) => /sleep 600/.test(p.command)),
      "the orphaned clone and executor to be gone",
      30_000,
    );

    // The retry completes the stage (the executor works normally on a retry).
    await run("/okstra retry --stage 1\nGuidance for this retry: carry on from the branch.");
    const all = await rows();
    const done = all.filter((r) => r.status === "done");
    expect(done).toEqual([expect.objectContaining({ run: "impl-2", stage: 1, branch: "okstra/1/s1" })]);
    expect(await w.bare.head("okstra/1/s1")).toBe(done[0].headCommit);
    expect(statusOf("impl-2")?.body).toContain("✅ done");

    // The dead worker's job ran again on the survivor (BullMQ's stalled-job recovery) and started no run of its own.
    const runIds = [
      ...new Set(
        (await w.bare.listTree((await w.bare.head("okstra/ledger"))!, true))
          .map((e) => /^tasks\/1\/runs\/([^/]+)\//.exec(e.path)?.[1])
          .filter(Boolean),
      ),
    ].sort();
    expect(runIds).toEqual(["impl-1", "impl-2", "plan-1"]);
    expect(survivor.output()).toContain('"msg":"this comment already started a run; nothing to do"');
    // Nor did it answer the repeated job with a refusal.
    expect(w.github.comments.filter((c) => c.user.type === "Bot" && /cannot|refused|🚫/.test(c.body))).toEqual([]);
    expect(await runDirectories()).toEqual([]);

    survivor.child.kill("SIGTERM");
    expect(await survivor.exited).toBe(0);
  }, 180_000);
});
