/**
 * Transport retries for the model APIs, identical for all three SDKs: each
 * SDK is given this `fetch` with its own retries switched off. A 429 or 5xx is
 * retried after the delay the server asks for (`retry-after-ms`,
 * `retry-after` in seconds or as an HTTP date), else with exponential
 * backoff. A delay longer than `maxDelayMs` is not waited out: the error goes
 * back to the worker loop, whose deadline and re-dispatch rules then apply.
 * These retries are inside one attempt and never change the request.
 */

export interface HttpRetryPolicy {
  /** Retries after the first request. */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Injected by tests to observe the delays without waiting for them. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** 408 timeout, 429 rate limit, 5xx, and Anthropic's 529 "overloaded". */
const RETRYABLE = new Set([408, 429, 500, 502, 503, 504, 529]);

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export const DEFAULT_HTTP_RETRY: HttpRetryPolicy = {
  maxRetries: 3,
  baseDelayMs: 1000,
  maxDelayMs: 60_000,
  sleep: abortableSleep,
};

/** The delay the server asked for, in ms, or undefined when it did not say. */
export function requestedDelayMs(headers: Headers, now: number = Date.now()): number | undefined {
  const ms = headers.get("retry-after-ms");
  if (ms !== null && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const after = headers.get("retry-after");
  if (after === null) return undefined;
  if (/^\d+(\.\d+)?$/.test(after.trim())) return Number(after) * 1000;
  const date = Date.parse(after);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function retryingFetch(policy: HttpRetryPolicy): typeof fetch {
  return async (input, init) => {
    for (let retry = 0; ; retry++) {
      // Resolved per call, so a test's interceptor on the global fetch sees every request.
      const response = await globalThis.fetch(input, init);
      if (!RETRYABLE.has(response.status) || retry >= policy.maxRetries) return response;
      const asked = requestedDelayMs(response.headers);
      if (asked !== undefined && asked > policy.maxDelayMs) return response;
      const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry * (0.5 + Math.random() / 2));
      await response.body?.cancel().catch(() => undefined);
      await policy.sleep(asked ?? backoff, init?.signal ?? undefined);
    }
  };
}
