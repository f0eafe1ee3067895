import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { ObservableJobQueue } from "../queue/observable.js";

/**
 * okstra's Prometheus metrics, in a registry of their own (not prom-client's
 * global one) so tests and a second App instance never collide on names.
 *
 * Label values stay low-cardinality on purpose: phases, outcomes, providers,
 * roles, route *templates* — never an issue number, a repository or a SHA.
 */
export interface OkstraMetrics {
  readonly registry: Registry;
  /**
   * Jobs the engine ended, once each (src/engine/run/run-metrics.ts): by phase — the command's verb,
   * `invalid`, `unknown`, `reverify`, `pull-request-closed`, `stage-branch-moved` — and outcome (`carried-out`, `refused`,
   * `failed`, `ignored`). The help text lists every value.
   */
  readonly runsTotal: Counter<"phase" | "outcome">;
  /** Wall time of one worker call after its retries (an analyser, executor, verifier, …). */
  readonly workerDurationSeconds: Histogram<"provider" | "role">;
  /** Worker cost as the provider reported it (or priced from its tokens), summed over each call's attempts. */
  readonly workerCostUsdTotal: Counter<"provider" | "role">;
  /** Stage leases crash recovery found expired and recorded as `abandoned`: each is a run whose process died. */
  readonly stagesAbandonedTotal: Counter;
  readonly githubRequestsTotal: Counter<"method" | "route" | "status">;
  /** `x-ratelimit-remaining` of the latest response, by `x-ratelimit-resource` (core, graphql, search, …). */
  readonly githubRateLimitRemaining: Gauge<"resource">;
  readonly jobsEnqueuedTotal: Counter<"backend" | "result">;
  /** One count per attempt: `completed`, or `error` when the attempt threw (BullMQ may retry it). */
  readonly jobsProcessedTotal: Counter<"backend" | "outcome">;
  /** Read from the watched queues at scrape time. */
  readonly queueJobs: Gauge<"backend" | "state">;
  /** Report this queue's depth on every scrape; returns the function that stops it. */
  watchQueue(queue: ObservableJobQueue): () => void;
}

export interface MetricsOptions {
  /** Process metrics (RSS, heap, event-loop lag, GC) under their standard names. */
  defaultMetrics?: boolean;
}

const RUN_HELP =
  "Jobs the engine ended, once each, by phase and outcome. phase: the command's verb (help, status, cancel, plan, replan, approve, implement, retry, verify, ship), " +
  "invalid (a malformed /okstra comment), unknown (not an /okstra comment), reverify (a re-requested stage check run), pull-request-closed, " +
  "stage-branch-moved (a stage branch pushed to by someone else). " +
  "outcome: carried-out, refused (permission, configuration, preconditions), failed (the run failed, was cancelled or threw), ignored (an event okstra has nothing to do for). " +
  "autoVerify's verification is part of its implement job.";
const WORKER_LABELS =
  "provider: anthropic, openai, gemini, claude-code, codex, gemini-cli, command; role: analyser, lead, plan-reviewer, executor, verifier, reviewer, pilot.";

export function createMetrics(options: MetricsOptions = {}): OkstraMetrics {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const watched = new Set<ObservableJobQueue>();

  const queueJobs = new Gauge<"backend" | "state">({
    name: "okstra_queue_jobs",
    help: "Jobs in the command queue by state (waiting, active, delayed), read at scrape time.",
    labelNames: ["backend", "state"],
    registers,
    async collect() {
      this.reset();
      for (const queue of watched) {
        // A queue whose store is unreachable reports nothing rather than a false zero; /healthz says why.
        const depth = await queue.depth().catch(() => undefined);
        if (!depth) continue;
        for (const [state, count] of Object.entries(depth)) this.inc({ backend: queue.backend, state }, count);
      }
    },
  });

  return {
    registry,
    runsTotal: new Counter({ name: "okstra_runs_total", help: RUN_HELP, labelNames: ["phase", "outcome"], registers }),
    workerDurationSeconds: new Histogram({
      name: "okstra_worker_duration_seconds",
      help: `Wall time of one worker call after its retries (a call the budget refused before dispatching is not counted). ${WORKER_LABELS}`,
      labelNames: ["provider", "role"],
      // Model calls and agent CLIs take seconds to tens of minutes.
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600],
      registers,
    }),
    workerCostUsdTotal: new Counter({
      name: "okstra_worker_cost_usd_total",
      help: `Worker cost in US dollars as the provider reported it (else priced from its token counts), failed attempts included. ${WORKER_LABELS}`,
      labelNames: ["provider", "role"],
      registers,
    }),
    stagesAbandonedTotal: new Counter({
      name: "okstra_stages_abandoned_total",
      help: "Stage leases that expired without done or failed and were recorded as abandoned by crash recovery: each is a run whose process died (or stopped renewing).",
      registers,
    }),
    githubRequestsTotal: new Counter({
      name: "okstra_github_requests_total",
      help: "GitHub API requests by method, route template and final status (after Octokit's own retries).",
      labelNames: ["method", "route", "status"],
      registers,
    }),
    githubRateLimitRemaining: new Gauge({
      name: "okstra_github_rate_limit_remaining",
      help: "x-ratelimit-remaining of the latest GitHub response, by resource.",
      labelNames: ["resource"],
      registers,
    }),
    jobsEnqueuedTotal: new Counter({
      name: "okstra_jobs_enqueued_total",
      help: "Commands offered to the queue: queued, or duplicate (same comment already queued or run).",
      labelNames: ["backend", "result"],
      registers,
    }),
    jobsProcessedTotal: new Counter({
      name: "okstra_jobs_processed_total",
      help: "Job attempts by outcome: completed, or error (retried while attempts remain).",
      labelNames: ["backend", "outcome"],
      registers,
    }),
    queueJobs,
    watchQueue(queue) {
      watched.add(queue);
      return () => watched.delete(queue);
    },
  };
}

/** The process's metrics: the engine, the queue and the GitHub client all count here; `/metrics` serves them. */
export const metrics: OkstraMetrics = createMetrics({ defaultMetrics: true });
