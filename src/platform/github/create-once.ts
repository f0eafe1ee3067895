/**
 * Creating requests are not idempotent: a 5xx (or a dropped connection) may
 * come after GitHub already made the comment or check run, and sending it
 * again would make a second one. So a creation is never retried blindly by
 * the HTTP layer (`request.retries: 0`); after a failure, okstra looks for
 * what it tried to create — by its marker or `external_id` — and only sends
 * the request again when it is not there.
 */

/** Octokit's per-request option that turns the retry plugin off for this request. */
export const NO_BLIND_RETRY = { request: { retries: 0 } } as const;

/** A failure the request may have outlived: a server error or no answer at all. Anything else GitHub refused. */
function mayHaveApplied(error: unknown): boolean {
  const status = typeof error === "object" && error !== null ? (error as { status?: unknown }).status : undefined;
  return typeof status !== "number" || status >= 500;
}

export async function createOnce<T>(create: () => Promise<T>, findCreated: () => Promise<T | null>): Promise<T> {
  try {
    return await create();
  } catch (error) {
    if (!mayHaveApplied(error)) throw error;
    const found = await findCreated();
    if (found !== null) return found;
    return create();
  }
}
