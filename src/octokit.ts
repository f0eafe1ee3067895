import { ProbotOctokit } from "probot";

/**
 * Probot's Octokit with okstra's retry and rate-limit policy (SPEC §10).
 *
 * Retries: 409 joins the statuses the retry plugin never retries (its
 * defaults already include 422). A 409 or 422 from a compare-and-swap that
 * lost a race must reach the ledger, which re-reads and re-applies the
 * mutation; retrying the same stale request would only fail again (§4.2).
 * 429 is left to the throttling plugin too, which waits as GitHub asks
 * instead of the retry plugin's fixed back-off.
 *
 * Rate limits: Probot's defaults only log a secondary limit, so a burst of
 * writes stopped the run. Here both limits are waited out for as long as
 * GitHub asks (`retry-after`, or `x-ratelimit-reset` for the primary limit),
 * a bounded number of times and never longer than MAX_RATE_LIMIT_WAIT_SECONDS;
 * content-creating requests stay paced by the plugin's `write` group, shared
 * per installation across processes through Redis when REDIS_URL is set
 * (Probot passes the plugin a Bottleneck connection and the installation id).
 */
export const DO_NOT_RETRY = [400, 401, 403, 404, 409, 410, 422, 429, 451];
export const MAX_RATE_LIMIT_RETRIES = 3;
export const MAX_RATE_LIMIT_WAIT_SECONDS = 15 * 60;

/** A rate-limited request that will be sent again at `until`. */
export interface RateLimitWait {
  kind: "secondary" | "primary";
  until: Date;
  request: string;
}

type WaitListener = (wait: RateLimitWait) => void;
const waitListeners = new WeakMap<object, WaitListener>();

/** Tells `listener` whenever a request of `octokit` waits out a rate limit (the run's status says so). */
export function onRateLimitWait(octokit: object, listener: WaitListener): void {
  waitListeners.set(octokit, listener);
}

interface LimitLog {
  warn: (message: string) => void;
}

function waitAsAsked(kind: RateLimitWait["kind"]) {
  return (
    retryAfter: number,
    options: { method: string; url: string },
    octokit: { log: LimitLog },
    retryCount: number,
  ): boolean => {
    const request = `${options.method} ${options.url}`;
    if (retryCount >= MAX_RATE_LIMIT_RETRIES || retryAfter > MAX_RATE_LIMIT_WAIT_SECONDS) {
      octokit.log.warn(
        `${kind} rate limit on "${request}": GitHub asks to wait ${retryAfter} s (attempt ${retryCount + 1}); giving up`,
      );
      return false;
    }
    octokit.log.warn(`${kind} rate limit on "${request}": waiting ${retryAfter} s as GitHub asks`);
    waitListeners.get(octokit)?.({ kind, until: new Date(Date.now() + retryAfter * 1000), request });
    return true;
  };
}

export const OkstraOctokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  retry: { ...(options.retry as object | undefined), doNotRetry: DO_NOT_RETRY },
  throttle: {
    ...(options.throttle as object | undefined),
    onSecondaryRateLimit: waitAsAsked("secondary"),
    onRateLimit: waitAsAsked("primary"),
  },
}));
