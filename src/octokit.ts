import { ProbotOctokit } from "probot";

/**
 * Probot's Octokit with one change: 409 joins the statuses the retry plugin
 * never retries (its defaults already include 422). A 409 or 422 from a
 * compare-and-swap that lost a race must reach the ledger, which re-reads
 * and re-applies the mutation; retrying the same stale request would only
 * fail again (SPEC §4.2, §10). Throttling and 5xx/rate-limit retries stay.
 */
export const DO_NOT_RETRY = [400, 401, 403, 404, 409, 410, 422, 451];

export const OkstraOctokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  retry: { ...(options.retry as object | undefined), doNotRetry: DO_NOT_RETRY },
}));
