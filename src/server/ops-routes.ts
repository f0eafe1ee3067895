import { SANDBOX_HELP, sandboxOffNotice, sandboxState } from "../sandbox/index.js";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ObservableJobQueue } from "../queue/observable.js";
import { withTimeout } from "../queue/timeout.js";
import { metrics as processMetrics, type OkstraMetrics } from "./metrics.js";

/** Probot's server handler shape: true when it answered, false to pass the request on. */
export type OpsHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

export interface OpsDeps {
  metrics?: OkstraMetrics;
  /** The command queue; `/healthz` reports its backend, depth and (for Redis) a ping. */
  queue?: ObservableJobQueue;
  /** When set, `/metrics` answers only `Authorization: Bearer <token>` (METRICS_TOKEN). */
  metricsToken?: string;
  /** Process start, for `uptimeSeconds`; defaults to when the routes were registered. */
  startedAt?: number;
}

export interface Health {
  ok: boolean;
  uptimeSeconds: number;
  queue?: { backend: string; waiting?: number; active?: number; delayed?: number; error?: string };
  redis?: { ok: boolean; latencyMs?: number; error?: string };
}

/**
 * `GET /metrics` (Prometheus text) and `GET /healthz` (JSON), for Probot's
 * server (`addHandler` from the app function's options) or a bare
 * `node:http` server in `okstra worker`. Other requests pass on untouched.
 * Returns false when there is no server to add them to.
 */
export function registerOpsRoutes(addHandler: (handler: OpsHandler) => void, deps: OpsDeps = {}): boolean {
  try {
    addHandler(opsHandler(deps));
    return true;
  } catch {
    // A Probot loaded without a server (tests, `probot.receive` only) throws "No server instance": no routes to add to.
    return false;
  }
}

export function opsHandler(deps: OpsDeps = {}): OpsHandler {
  const metrics = deps.metrics ?? processMetrics;
  const startedAt = deps.startedAt ?? Date.now();
  if (deps.queue) metrics.watchQueue(deps.queue);

  return async (req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/metrics") {
      if (deps.metricsToken && req.headers.authorization !== `Bearer ${deps.metricsToken}`) {
        send(res, 401, "text/plain; charset=utf-8", "metrics need the bearer token\n");
        return true;
      }
      send(res, 200, metrics.registry.contentType, await metrics.registry.metrics());
      return true;
    }
    if (path === "/healthz") {
      const health = { ...(await checkHealth(deps.queue, startedAt)), sandbox: sandboxHealth() };
      send(res, health.ok ? 200 : 503, "application/json; charset=utf-8", `${JSON.stringify(health)}\n`);
      return true;
    }
    return false;
  };
}

/** SPEC §14.1: `/healthz` says whether workers run confined — `on`, `off` (the operator's choice, with a warning) or `unavailable`. */
function sandboxHealth(): { mode: string; warning?: string; reason?: string } {
  const state = sandboxState();
  if (state.mode === "off") return { mode: "off", warning: sandboxOffNotice() ?? undefined };
  if (state.mode === "unavailable")
    return { mode: "unavailable", reason: `${state.reason}; okstra refuses to run workers. ${SANDBOX_HELP}` };
  return { mode: "on" };
}

/** A health probe must answer even while Redis does not: each check gives up after this long. */
const CHECK_TIMEOUT_MS = 2_000;

/** Healthy when the queue answers; with Redis, the ping must succeed too (a web process that cannot enqueue loses commands). */
export async function checkHealth(queue: ObservableJobQueue | undefined, startedAt: number): Promise<Health> {
  const health: Health = { ok: true, uptimeSeconds: Math.round((Date.now() - startedAt) / 1000) };
  if (!queue) return health;
  try {
    health.queue = { backend: queue.backend, ...(await withTimeout(queue.depth(), CHECK_TIMEOUT_MS, "queue depth")) };
  } catch (error) {
    health.ok = false;
    health.queue = { backend: queue.backend, error: messageOf(error) };
  }
  if (queue.ping) {
    try {
      health.redis = { ok: true, latencyMs: await withTimeout(queue.ping(), CHECK_TIMEOUT_MS, "redis ping") };
    } catch (error) {
      health.ok = false;
      health.redis = { ok: false, error: messageOf(error) };
    }
  }
  return health;
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { "content-type": contentType, "cache-control": "no-store" });
  res.end(res.req?.method === "HEAD" ? undefined : body);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
