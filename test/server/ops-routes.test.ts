import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import { generateKeyPairSync } from "node:crypto";
import { pino } from "pino";
import { Probot, Server } from "probot";
import { createBullmqQueue } from "../../src/queue/bullmq.js";
import type { ObservableJobQueue } from "../../src/queue/observable.js";
import { createObservableInProcessQueue } from "../../src/queue/observable-in-process.js";
import { createMetrics, type OkstraMetrics } from "../../src/server/metrics.js";
import { registerOpsRoutes, type OpsDeps } from "../../src/server/ops-routes.js";
import { silentLogger } from "../../src/util/log.js";
import { describeWithRedis, freePort, startRedis, type RedisServer } from "../helpers/redis.js";
import { commandJob } from "../queue/fixtures/child-worker.js";

const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

const servers: Server[] = [];
const queues: ObservableJobQueue[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
  await Promise.all(queues.splice(0).map((queue) => queue.close()));
});

/** Probot's own HTTP server on 127.0.0.1 with an app function that registers the routes, as app.ts does. */
async function probotServer(deps: OpsDeps): Promise<string> {
  const port = await freePort();
  const server = new Server({
    Probot: Probot.defaults({ appId: 123, privateKey, secret: "s" }),
    host: "127.0.0.1",
    port,
    log: pino({ level: "silent" }),
  });
  await server.load((_app, { addHandler }) => void registerOpsRoutes(addHandler, deps));
  await server.start();
  servers.push(server);
  return `http://127.0.0.1:${port}`;
}

function inProcessQueue(metrics: OkstraMetrics): ObservableJobQueue {
  const queue = createObservableInProcessQueue(async () => {}, silentLogger, { metrics });
  queues.push(queue);
  return queue;
}

describe("/metrics and /healthz on Probot's server", () => {
  it("serves okstra's metrics as Prometheus text, counting what happened", async () => {
    const metrics = createMetrics({ defaultMetrics: true });
    const queue = inProcessQueue(metrics);
    const base = await probotServer({ metrics, queue });
    await queue.enqueue(commandJob(1));
    await queue.enqueue(commandJob(2));
    await queue.enqueue(commandJob(1, "redelivery"));
    await queue.drain();
    metrics.runsTotal.inc({ phase: "plan", outcome: "carried-out" });
    metrics.workerCostUsdTotal.inc({ provider: "anthropic", role: "analyser" }, 0.25);

    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain");
    const body = await response.text();
    expect(body).toContain('okstra_jobs_enqueued_total{backend="in-process",result="queued"} 2');
    expect(body).toContain('okstra_jobs_enqueued_total{backend="in-process",result="duplicate"} 1');
    expect(body).toContain('okstra_jobs_processed_total{backend="in-process",outcome="completed"} 2');
    expect(body).toContain('okstra_queue_jobs{backend="in-process",state="waiting"} 0');
    expect(body).toContain('okstra_runs_total{phase="plan",outcome="carried-out"} 1');
    expect(body).toContain('okstra_worker_cost_usd_total{provider="anthropic",role="analyser"} 0.25');
    for (const name of [
      "okstra_worker_duration_seconds",
      "okstra_github_requests_total",
      "okstra_github_rate_limit_remaining",
      "process_resident_memory_bytes",
    ]) {
      expect(body).toContain(`# TYPE ${name} `);
    }
  });

  it("answers /healthz with the queue backend, its depth and the uptime", async () => {
    const metrics = createMetrics();
    const base = await probotServer({ metrics, queue: inProcessQueue(metrics), startedAt: Date.now() - 5_000 });
    const response = await fetch(`${base}/healthz`);
    expect(response.status).toBe(200);
    const health = (await response.json()) as Record<string, any>;
    expect(health).toMatchObject({ ok: true, queue: { backend: "in-process", waiting: 0, active: 0, delayed: 0 } });
    expect(health.uptimeSeconds).toBeGreaterThanOrEqual(5);
    expect(health.redis).toBeUndefined();
  });

  it("adds no routes to a Probot that has no server, instead of failing the app's load", async () => {
    const probot = new Probot({ appId: 123, privateKey, secret: "s", log: pino({ level: "silent" }) });
    let added: boolean | undefined;
    await probot.load(
      (_app, { addHandler }) => void (added = registerOpsRoutes(addHandler, { metrics: createMetrics() })),
    );
    expect(added).toBe(false);
  });

  it("passes other requests on to Probot (its 404), and asks for the token when one is set", async () => {
    const base = await probotServer({ metrics: createMetrics(), metricsToken: "t0ken" });
    expect((await fetch(`${base}/nothing-here`)).status).toBe(404);
    expect((await fetch(`${base}/metrics`, { method: "POST" })).status).toBe(404);
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    expect((await fetch(`${base}/metrics`, { headers: { authorization: "Bearer t0ken" } })).status).toBe(200);
  });
});

let redis: RedisServer;
describeWithRedis("/healthz with the BullMQ queue", () => {
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it("reports the Redis ping and turns unhealthy (503) when Redis goes away", async () => {
    const metrics = createMetrics();
    const queue = createBullmqQueue({ connection: redis.url, log: silentLogger, metrics, queueName: "health" });
    await queue.enqueue(commandJob(7));
    const base = await probotServer({ metrics, queue });

    const healthy = await fetch(`${base}/healthz`);
    expect(healthy.status).toBe(200);
    expect(await healthy.json()).toMatchObject({
      ok: true,
      queue: { backend: "bullmq", waiting: 1 },
      redis: { ok: true },
    });
    expect(await (await fetch(`${base}/metrics`)).text()).toContain(
      'okstra_queue_jobs{backend="bullmq",state="waiting"} 1',
    );

    await redis.stop();
    const unhealthy = await fetch(`${base}/healthz`);
    expect(unhealthy.status).toBe(503);
    expect(await unhealthy.json()).toMatchObject({ ok: false, redis: { ok: false } });
    // A scrape still answers, without the depth it cannot read.
    expect(await (await fetch(`${base}/metrics`)).text()).not.toContain('okstra_queue_jobs{backend="bullmq"');
    // Back on the same port, the queue reconnects by itself and the probe turns healthy again.
    redis = await startRedis(redis.port);
    await waitFor(async () => (await fetch(`${base}/healthz`)).status === 200);
    await queue.close();
  });

  it("closes even while Redis is down", async () => {
    const queue = createBullmqQueue({
      connection: redis.url,
      log: silentLogger,
      metrics: createMetrics(),
      queueName: "health-down",
    });
    await queue.ready();
    await redis.stop();
    await queue.close();
    redis = await startRedis(redis.port);
  });
});

async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("condition not met within 30 s");
}
