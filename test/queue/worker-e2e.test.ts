import { afterAll, beforeAll, expect, it } from "@jest/globals";
import { isPlanApproved } from "../../src/ledger/derive.js";
import type { LedgerRow } from "../../src/ledger/rows.js";
import { createBullmqQueue } from "../../src/queue/bullmq.js";
import type { CommandJob } from "../../src/queue/types.js";
import { createMetrics } from "../../src/server/metrics.js";
import { silentLogger } from "../../src/util/log.js";
import { createSharedE2eWorld, type SharedE2eWorld } from "../github-e2e/shared-world.js";
import { describeWithRedis, startRedis, type RedisServer } from "../helpers/redis.js";
import { startChildWorker, type ChildWorker } from "./fixtures/child-worker.js";

/**
 * A real `okstra worker` process, fed through a real Redis, against the
 * stateful fake GitHub served over HTTP as a GitHub Enterprise host: the
 * lifecycle the in-process end-to-end tests drive through webhooks, here as
 * queued jobs another process runs — the ground a fault-injection test kills
 * workers on. `/okstra plan`, `approve` and `implement --stage 1` run once
 * (about 10 s), then the worker gets SIGTERM; each test checks one outcome.
 */

const QUEUE = "worker-e2e";

describeWithRedis("okstra worker against the served fake GitHub", () => {
  let redis: RedisServer | undefined;
  let world: SharedE2eWorld | undefined;
  let worker: ChildWorker | undefined;
  const jobs: CommandJob[] = [];
  let stopped: { code: number | null; signal: NodeJS.Signals | null };

  beforeAll(async () => {
    [redis, world] = await Promise.all([startRedis(), createSharedE2eWorld()]);
    const w = world;
    worker = await startChildWorker({ redisUrl: redis.url, queueName: QUEUE, outFile: "/dev/null", env: w.childEnv() });
    const producer = createBullmqQueue({
      connection: redis.url,
      log: silentLogger,
      metrics: createMetrics(),
      queueName: QUEUE,
    });
    try {
      for (const body of ["/okstra plan", "/okstra approve", "/okstra implement --stage 1"]) {
        const job = w.commandJob(body);
        jobs.push(job);
        expect(await producer.enqueue(job)).toBe(true);
        await producer.drain();
      }
    } finally {
      await producer.close();
      worker.child.kill("SIGTERM");
    }
    const code = await worker.exited;
    stopped = { code, signal: worker.child.signalCode };
  }, 60_000);

  afterAll(async () => {
    // Whatever happened above, no worker outlives the file.
    if (worker && worker.child.exitCode === null && worker.child.signalCode === null) {
      worker.child.kill("SIGKILL");
      await worker.exited;
    }
    await world?.dispose();
    await redis?.stop();
  });

  const rows = async () =>
    ((await world!.bare.fileAt("okstra/ledger", "tasks/1/ledger.jsonl")) ?? "")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as LedgerRow & Record<string, any>);

  it("asks the served fake only what it models, always with the installation token", () => {
    expect(world!.served.unmatched).toEqual([]);
    expect(
      world!.github.requests.filter(
        (r) => r.route !== "POST /app/installations/{installation_id}/access_tokens" && !r.authorized,
      ),
    ).toEqual([]);
    expect(world!.server.requests.length).toBeGreaterThan(0);
    expect(world!.server.requests.filter((r) => !r.authorized || r.status !== 200)).toEqual([]);
  });

  it("leaves the approved plan in the ledger of the bare repository", async () => {
    const plan = JSON.parse((await world!.bare.fileAt("okstra/ledger", "tasks/1/plan.json")) ?? "null");
    expect(plan?.stages).toHaveLength(4);
    expect(isPlanApproved(await rows(), plan)).toBe(true);
  });

  it("implements stage 1 alone: a done row whose head is the pushed stage branch, and a draft PR from it", async () => {
    const done = (await rows()).filter((r) => r.status === "done");
    expect(done).toEqual([expect.objectContaining({ stage: 1, branch: "okstra/1/s1" })]);
    expect(await world!.bare.head("okstra/1/s1")).toBe(done[0].headCommit);
    expect(world!.server.requests.filter((r) => r.method === "POST" && r.service === "git-receive-pack")).toHaveLength(
      1,
    );
    expect(world!.github.pulls.map((p) => [p.head, p.base, p.draft, p.state])).toEqual([
      ["okstra/1/s1", "main", true, "open"],
    ]);
  });

  it("creates one status comment per command, edits a run's in place from ⏳ to ✅, and answers approve with ✅ at once", () => {
    const statusOf = (job: CommandJob) =>
      world!.github.comments.filter(
        (c) =>
          c.user.type === "Bot" &&
          c.history[0].includes(`"trigger":${job.comment.id}`) &&
          c.body.includes("okstra:run-status"),
      );
    const headings = jobs.map((job) =>
      statusOf(job).map((c) => c.history.map((body) => body.split("\n").find((line) => line.startsWith("### ")))),
    );
    const [plan, approve, implement] = headings.map((comments) => {
      expect(comments).toHaveLength(1);
      return comments[0];
    });
    expect(plan[0]).toBe("### okstra · `/okstra plan` · ⏳ running · run `plan-1`");
    expect(plan.at(-1)).toBe("### okstra · `/okstra plan` · ✅ done · run `plan-1`");
    expect(approve).toEqual(["### okstra · `/okstra approve` · ✅ done"]);
    expect(implement[0]).toBe("### okstra · `/okstra implement --stage 1` · ⏳ running · run `impl-1`");
    expect(implement.at(-1)).toBe("### okstra · `/okstra implement --stage 1` · ✅ done · run `impl-1`");
  });

  // The run-directory cleanup's SIGTERM listener is installed with the first run directory, after the
  // worker's graceful shutdown listener: it must see that listener and leave the shutdown to it.
  it("stops on SIGTERM with exit code 0 after running jobs that made run directories", () => {
    expect(stopped).toEqual({ code: 0, signal: null });
  });
});
