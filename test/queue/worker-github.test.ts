import { afterAll, beforeAll, expect, it } from "@jest/globals";
import type { Server } from "node:http";
import { createBullmqQueue } from "../../src/queue/bullmq.js";
import { createMetrics } from "../../src/server/metrics.js";
import { silentLogger } from "../../src/util/log.js";
import { describeWithRedis, startRedis, type RedisServer } from "../helpers/redis.js";
import { commandJob, startChildWorker } from "./fixtures/child-worker.js";
import { startFakeGitHub, type Received } from "./fixtures/fake-github.js";

let redis: RedisServer;
let github: { server: Server; port: number; received: Received[] };
beforeAll(async () => {
  redis = await startRedis();
  github = await startFakeGitHub();
});
afterAll(async () => {
  await redis?.stop();
  await new Promise((resolve) => github?.server.close(resolve));
});

describeWithRedis("okstra worker with okstra's GitHub processor", () => {
  it("authenticates as the installation from APP_ID and PRIVATE_KEY and answers a queued /okstra help", async () => {
    const child = await startChildWorker({
      redisUrl: redis.url,
      queueName: "github-e2e",
      outFile: "/dev/null",
      env: { FIXTURE_PROCESSOR: "github", GHE_HOST: `127.0.0.1:${github.port}`, GHE_PROTOCOL: "http" },
    });
    const web = createBullmqQueue({
      connection: redis.url,
      log: silentLogger,
      metrics: createMetrics(),
      queueName: "github-e2e",
    });
    try {
      expect(await web.enqueue(commandJob(492700400))).toBe(true);
      await web.drain();
    } finally {
      await web.close();
      child.child.kill("SIGTERM");
    }
    expect(await child.exited).toBe(0);

    const calls = github.received.map((r) => `${r.method} ${r.path}`);
    expect(calls[0]).toBe("POST /api/v3/app/installations/1/access_tokens");
    // The App's JWT for the token exchange, the installation token for everything after it.
    expect(github.received[0].authorization).toMatch(/^bearer /i);
    expect(github.received.slice(1).every((r) => r.authorization === "token ghs_fromfakegithub")).toBe(true);
    expect(calls).toContain("POST /api/v3/repos/Codertocat/Hello-World/issues/comments/492700400/reactions");
    const reply = github.received.find((r) => r.method === "POST" && r.path.endsWith("/issues/1/comments"));
    expect(reply?.body.body).toContain("`/okstra ship STAGES [--base BRANCH]`");
  });
});
