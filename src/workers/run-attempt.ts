import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { ProviderAnswer, ProviderCall, TokenUsage, WorkerProvider } from "./types.js";

/**
 * One dispatch of a worker under its deadline. The deadline and the cancel
 * signal are enforced here, the same way for every provider: both abort the
 * provider's signal (which kills a process group or aborts an HTTP call), and
 * the attempt is classified by *why* it ended, whatever the provider then says.
 */

export type Attempt =
  | ProviderAnswer
  | { kind: "timeout"; usage: TokenUsage; transcript: string }
  | { kind: "cancelled"; reason: string; usage: TokenUsage; transcript: string };

/**
 * How long a provider may take to wind down after its signal fired (killing a
 * process group and draining its pipes is quick); past it the attempt ends
 * anyway, so a provider that ignores its signal still cannot hold the run.
 */
export const ABORT_GRACE_MS = 5_000;

const NO_TOKENS: TokenUsage = { inputTokens: 0, outputTokens: 0 };

export function cancelReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (typeof reason === "string") return reason;
  if (reason instanceof Error && reason.name !== "AbortError") return reason.message;
  return "cancelled";
}

export async function runAttempt(
  provider: WorkerProvider,
  call: Omit<ProviderCall, "signal" | "scratchDir">,
  cancel?: AbortSignal,
): Promise<Attempt> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error(`deadline of ${call.deadlineMs} ms passed`));
  }, call.deadlineMs);
  const onCancel = () => controller.abort(cancel?.reason);
  if (cancel?.aborted) onCancel();
  else cancel?.addEventListener("abort", onCancel, { once: true });
  const scratchDir = await mkdtemp(path.join(tmpdir(), "okstra-worker-"));
  try {
    const answer = await settleWithin(
      provider.invoke({ ...call, signal: controller.signal, scratchDir }).catch(
        (error: unknown): ProviderAnswer => ({
          kind: "failed",
          reason: error instanceof Error ? error.message : String(error),
          retryable: true,
          usage: NO_TOKENS,
          transcript: error instanceof Error ? (error.stack ?? error.message) : String(error),
        }),
      ),
      controller.signal,
    );
    if (timedOut) return { kind: "timeout", usage: answer?.usage ?? NO_TOKENS, transcript: answer?.transcript ?? "" };
    if (cancel?.aborted)
      return {
        kind: "cancelled",
        reason: cancelReason(cancel),
        usage: answer?.usage ?? NO_TOKENS,
        transcript: answer?.transcript ?? "",
      };
    return (
      answer ?? {
        kind: "failed",
        reason: "the provider never answered",
        retryable: true,
        usage: NO_TOKENS,
        transcript: "",
      }
    );
  } finally {
    clearTimeout(timer);
    cancel?.removeEventListener("abort", onCancel);
    await rm(scratchDir, { recursive: true, force: true });
  }
}

/** The provider's answer, or undefined when it has not settled `ABORT_GRACE_MS` after `signal` fired. */
function settleWithin(answer: Promise<ProviderAnswer>, signal: AbortSignal): Promise<ProviderAnswer | undefined> {
  return new Promise((resolve) => {
    let grace: NodeJS.Timeout | undefined;
    const startGrace = () => {
      grace = setTimeout(() => resolve(undefined), ABORT_GRACE_MS);
    };
    if (signal.aborted) startGrace();
    else signal.addEventListener("abort", startGrace, { once: true });
    void answer.then((value) => {
      clearTimeout(grace);
      signal.removeEventListener("abort", startGrace);
      resolve(value);
    });
  });
}
