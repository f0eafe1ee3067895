import { metrics as processMetrics, type OkstraMetrics } from "./metrics.js";

type Headers = Record<string, string | number | undefined>;
interface RequestOptions {
  method: string;
  url: string;
}
interface ResponseLike {
  status: number;
  headers: Headers;
}

/** The part of an Octokit (`@octokit/core`'s `hook` collection) this needs; any Octokit version fits. */
export interface HookableOctokit {
  hook: {
    after(name: "request", hook: (response: ResponseLike, options: RequestOptions) => void): void;
    error(name: "request", hook: (error: unknown, options: RequestOptions) => never): void;
  };
}

const instrumented = new WeakSet<object>();

/**
 * Counts every request this Octokit makes by method, route template and
 * status, and records the rate-limit budget GitHub reports with each answer.
 *
 * The hooks are added after Octokit's retry and throttling plugins, so they
 * wrap them: a request retried twice counts once, with its final status.
 * Instrumenting the same instance twice is a no-op, so the app-level Octokit
 * (shared when a job has no installation) is never double-counted.
 */
export function instrumentOctokit<T extends HookableOctokit>(octokit: T, metrics: OkstraMetrics = processMetrics): T {
  if (instrumented.has(octokit)) return octokit;
  instrumented.add(octokit);
  const record = (status: number | string, headers: Headers | undefined, options: RequestOptions) => {
    metrics.githubRequestsTotal.inc({
      method: options.method,
      route: routeTemplate(options.url),
      status: String(status),
    });
    const remaining = Number(headers?.["x-ratelimit-remaining"]);
    if (headers?.["x-ratelimit-remaining"] !== undefined && Number.isFinite(remaining)) {
      metrics.githubRateLimitRemaining.set({ resource: String(headers["x-ratelimit-resource"] ?? "core") }, remaining);
    }
  };
  octokit.hook.after("request", (response, options) => record(response.status, response.headers, options));
  octokit.hook.error("request", (error, options) => {
    const failure = error as { status?: number; response?: { headers?: Headers } };
    // No status means the request never got an answer (DNS, reset, timeout).
    record(failure.status ?? "network-error", failure.response?.headers, options);
    throw error;
  });
  return octokit;
}

/**
 * Octokit passes the route template (`/repos/{owner}/{repo}/issues`) for
 * every `octokit.rest.*` and `request("GET /…")` call; only literal URLs
 * (pagination's `next` links) carry ids, which become placeholders so the
 * label stays low-cardinality.
 */
export function routeTemplate(url: string): string {
  const path = url
    .replace(/^[a-z]+:\/\/[^/]+/i, "")
    .replace(/^\/api\/v3(?=\/)/, "")
    .split("?")[0];
  return path
    .split("/")
    .map((segment) => (/^\d+$/.test(segment) ? "{id}" : /^[0-9a-f]{40}$/i.test(segment) ? "{sha}" : segment))
    .join("/");
}
