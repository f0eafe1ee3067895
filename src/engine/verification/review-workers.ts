import type { WorkerSpec } from "../../config/schema.js";
import { reviewerResultSchema, verifierResultSchema } from "../../workers/results.js";
import type { VerificationContext } from "./verification-context.js";
import { invokeWorker, workerLabel, type RunWorkers } from "../run/invoke-worker.js";
import type { ReviewPort, SkippedWorker } from "./converge.js";
import type { VerifierFindings } from "./findings.js";
import { reviewerRequest, verifierRequest, type ReviewContext } from "./review-context.js";

/**
 * The verification run's worker calls, through `invokeWorker` (deadline,
 * retry-once, validation, budget, the status comment and the ledger record):
 * one independent-review call per verifier for the whole batch, and the
 * convergence's reviewer calls behind the `ReviewPort`.
 */

export interface VerifierWorker {
  /** `verifier-2-openai`: the verifier's name in findings, answers and skippedWorkers. */
  label: string;
  index: number;
  spec: WorkerSpec;
}

export interface ReviewSession {
  context: VerificationContext;
  workers: RunWorkers;
  run: string;
  taskKey: string;
  /** The verification clone: every verifier's and reviewer's working directory, read-only for them. */
  cwd: string;
}

export function verifierWorkers(specs: readonly WorkerSpec[]): VerifierWorker[] {
  return specs.map((spec, index) => ({ label: workerLabel("verifier", index, spec), index, spec }));
}

/** Every verifier reviews the whole batch once, in parallel; one that fails is a verification-error for the rest of the run. */
export async function independentReview(
  session: ReviewSession,
  verifiers: readonly VerifierWorker[],
  reviewContext: ReviewContext,
): Promise<{ results: VerifierFindings[]; skipped: SkippedWorker[] }> {
  const { values, input } = verifierRequest(reviewContext);
  const outcomes = await Promise.all(
    verifiers.map((verifier) =>
      invokeWorker(session.context, session.workers, {
        label: verifier.label,
        spec: verifier.spec,
        role: "verifier",
        phase: "verification",
        task: session.taskKey,
        run: session.run,
        cwd: session.cwd,
        input,
        values,
        schema: verifierResultSchema,
      }),
    ),
  );
  const results: VerifierFindings[] = [];
  const skipped: SkippedWorker[] = [];
  outcomes.forEach((outcome, i) => {
    const verifier = verifiers[i]!;
    if (outcome.status === "ok" && outcome.result)
      results.push({ verifier: verifier.label, index: verifier.index, findings: outcome.result.findings });
    else
      skipped.push({
        worker: verifier.label,
        role: "verifier",
        round: 0,
        status: outcome.status === "ok" ? "contract-violated" : outcome.status,
        reason: outcome.reason,
        classification: "verification-error",
      });
  });
  return { results, skipped };
}

/** The reviewer calls of convergence: one per reviewer per round, labelled `reviewer-2-openai-r1`. */
export function reviewPort(
  session: ReviewSession,
  verifiers: readonly VerifierWorker[],
  reviewContext: ReviewContext,
): ReviewPort {
  const byLabel = new Map(verifiers.map((v) => [v.label, v]));
  const adversarial = session.context.config.verification.adversarial;
  return async ({ reviewer, round, findings, previous }) => {
    const verifier = byLabel.get(reviewer)!;
    const { values, input } = reviewerRequest(reviewContext, { round, findings, previous, adversarial });
    const outcome = await invokeWorker(session.context, session.workers, {
      label: `${workerLabel("reviewer", verifier.index, verifier.spec)}-r${round}`,
      spec: verifier.spec,
      role: "reviewer",
      phase: "verification",
      task: session.taskKey,
      run: session.run,
      round,
      cwd: session.cwd,
      input,
      values,
      schema: reviewerResultSchema,
    });
    if (outcome.status !== "ok" || !outcome.result)
      return { status: outcome.status === "ok" ? "contract-violated" : outcome.status, reason: outcome.reason };
    return { status: "ok", answers: outcome.result.answers };
  };
}
