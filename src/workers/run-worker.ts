import { childLogger } from "../util/log.js";
import { cleanModelValue, stripControl } from "../util/redact.js";
import { estimateCallUsd } from "./budget.js";
import { DEFAULT_HTTP_RETRY } from "./http-retry.js";
import { modelFor } from "./models.js";
import { resolvePrice } from "./prices.js";
import { providerFor } from "./providers/index.js";
import { cancelReason, runAttempt, type Attempt } from "./run-attempt.js";
import { saveTranscript, tail } from "./transcript.js";
import type { Transcript, Usage, WorkerInvocation, WorkerOutcome, WorkerStatus } from "./types.js";
import { addUsage, pricedUsage, zeroUsage } from "./usage.js";
import { normaliseNearMiss } from "./near-miss.js";
import { contractFeedback, oneLineError, validateResult } from "./validate-result.js";

/**
 * Runs one worker to a terminal outcome (SPEC §6.5), the same for every provider:
 *
 * 1. Before each dispatch, the budget must allow the estimated call.
 * 2. Dispatch under the deadline (run-attempt.ts).
 * 3. A missed deadline or a dead worker is re-dispatched once with the
 *    identical request; a second one is terminal `timeout` / `failed`.
 * 4. A result that cannot be read or fails the role's schema is retried once
 *    with the validation error appended to the prompt, then `contract-violated`.
 * 5. Cancel ends it at once, as `cancelled`.
 *
 * Usage of every attempt is priced, summed into the outcome and recorded on
 * the budget meter, failed attempts included.
 */
export async function runWorker<T>(invocation: WorkerInvocation<T>): Promise<WorkerOutcome<T>> {
  const { spec, request, signal } = invocation;
  const started = Date.now();
  const model = modelFor(spec);
  const priceNote = spec.provider === "command" ? undefined : resolvePrice(model, spec.price).note;
  let usage: Usage = zeroUsage();
  let attempts = 0;
  let redispatchesLeft = 1;
  let contractRetriesLeft = 1;
  let feedback: string | undefined;
  let transcript: Transcript = { tail: "" };

  const end = (
    status: WorkerStatus,
    extra: { result?: T; reason?: string; notes?: string[] } = {},
  ): WorkerOutcome<T> => {
    // `stage` is bound unless the caller's logger already carries it: pino would write it twice.
    const log = invocation.log && childLogger(invocation.log, { stage: request.stage });
    log?.info(
      { role: request.role, provider: spec.provider, model, status, attempts, costUsd: usage.costUsd, priceNote },
      "worker finished",
    );
    return {
      status,
      ...extra,
      provider: spec.provider,
      model,
      usage,
      attempts,
      ...(priceNote ? { priceNote } : {}),
      transcript,
      elapsedMs: Date.now() - started,
    };
  };

  for (;;) {
    if (signal?.aborted) return end("cancelled", { reason: cancelReason(signal) });
    const dispatched = await dispatch(invocation, model, feedback, attempts + 1);
    if (!dispatched.ok) return end("budget-exceeded", { reason: dispatched.refused });
    const { attempt } = dispatched;
    attempts++;
    usage = addUsage(usage, dispatched.spent);
    transcript = dispatched.transcript;

    switch (attempt.kind) {
      case "cancelled":
        return end("cancelled", { reason: attempt.reason });
      case "timeout":
        if (redispatchesLeft-- > 0) continue;
        return end("timeout", {
          reason: `no result within the ${invocation.deadlineMs / 1000} s deadline, twice (dispatched ${attempts}×)`,
        });
      case "failed":
        if (attempt.retryable && redispatchesLeft-- > 0) continue;
        return end("failed", { reason: attempt.reason });
      case "answer": {
        const read = attempt.document === undefined ? undefined : normaliseNearMiss(request, attempt.document);
        const checked =
          read === undefined
            ? { ok: false as const, error: attempt.unreadable ?? "the worker returned no result" }
            : validateResult(invocation.schema, read.document);
        // Model text leaves okstra (ledger, PRs, comments): no terminal escapes, and each field capped.
        if (checked.ok)
          return end("ok", {
            result: cleanModelValue(checked.value),
            ...(read?.notes.length ? { notes: read.notes } : {}),
          });
        if (contractRetriesLeft-- > 0) {
          feedback = contractFeedback(checked.error);
          continue;
        }
        return end("contract-violated", {
          reason: `the result failed its schema twice: ${oneLineError(checked.error)}`,
        });
      }
    }
  }
}

type Dispatched = { ok: false; refused: string } | { ok: true; attempt: Attempt; spent: Usage; transcript: Transcript };

/** One budget-checked dispatch: reserve the estimate, run the attempt, record what it really cost. */
async function dispatch<T>(
  invocation: WorkerInvocation<T>,
  model: string,
  feedback: string | undefined,
  attempt: number,
): Promise<Dispatched> {
  const { spec, request: original } = invocation;
  const request = feedback === undefined ? original : { ...original, prompt: original.prompt + feedback };
  const hold = invocation.budget?.reserve(
    estimateCallUsd(model, request, spec.price),
    `${original.role} on ${spec.provider}/${model}`,
  );
  if (hold && !hold.ok) return { ok: false, refused: hold.reason };
  let result: Attempt;
  try {
    result = await runAttempt(
      providerFor(spec.provider, invocation.providers),
      {
        request,
        feedback,
        spec,
        model,
        cwd: invocation.cwd,
        deadlineMs: invocation.deadlineMs,
        appEnv: invocation.appEnv ?? process.env,
        httpRetry: { ...DEFAULT_HTTP_RETRY, ...invocation.httpRetry },
      },
      invocation.signal,
    );
  } finally {
    if (hold?.ok) hold.release();
  }
  const spent = pricedUsage(model, result.usage, spec.price);
  invocation.budget?.record(spent);
  return {
    ok: true,
    attempt: result,
    spent,
    transcript: await keepTranscript(invocation, `${spec.provider}-${model}`, attempt, result.transcript),
  };
}

async function keepTranscript<T>(
  invocation: WorkerInvocation<T>,
  worker: string,
  attempt: number,
  text: string,
): Promise<Transcript> {
  if (!invocation.transcriptDir) return { tail: stripControl(tail(text)) };
  const path = await saveTranscript(invocation.transcriptDir, invocation.request, worker, attempt, text);
  return { tail: stripControl(tail(text)), path };
}
