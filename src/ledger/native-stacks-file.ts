import type { Mutation } from "./mutations.js";

/**
 * `native-stacks.json` at the root of the ledger branch: okstra's note that
 * the repository has no native stacks (why it lives here and what a forgery
 * of it can do: engine/pull-requests/stacks-memory.ts). This file owns its
 * shape and its one write.
 */

export const NATIVE_STACKS_FILE = "native-stacks.json";

/** Whether the stored note says native stacks are unavailable; a missing or unreadable note says nothing. */
export function nativeStacksUnavailable(text: string | null): boolean {
  if (text === null) return false;
  try {
    return (JSON.parse(text) as { available?: unknown }).available === false;
  } catch {
    return false;
  }
}

/** Records that native stacks are unavailable, since `now`, for the reason `why`. */
export function rememberNativeStacksUnavailableMutation(why: string, now: Date): Mutation<undefined> {
  const text = `${JSON.stringify({ available: false, since: now.toISOString(), why })}\n`;
  return async () => ({
    changes: new Map([[NATIVE_STACKS_FILE, text]]),
    message: "okstra: native stacks are not available here",
    value: undefined,
  });
}
