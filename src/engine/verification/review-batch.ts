import { MergeConflictError } from "../../workspace/errors.js";
import type { Workspace } from "../../workspace/workspace.js";
import { converge } from "./converge.js";
import { collectFindings } from "./findings.js";
import { stageDiffs, type ReviewContext } from "./review-context.js";
import { independentReview, reviewPort, verifierWorkers, type ReviewSession } from "./review-workers.js";
import { stageVerdict } from "./verdict.js";
import { noVerdict, type VerificationFindings, type VerificationRun } from "./verification-run.js";
import { verifyBranch } from "../pull-requests/branch-names.js";

/**
 * Steps 3–6 of a verification run, in its clone:
 * 3. the verifiers' working tree and each stage's diff;
 * 4. independent review — one call per verifier for the whole batch;
 * 5. convergence among the verifiers that answered;
 * 6. a verdict per stage from okstra's own checks and the classified findings.
 */
export async function reviewBatch(run: VerificationRun, workspace: Workspace): Promise<VerificationFindings> {
  const { context, request, manifest, display } = run;
  const notes: string[] = [];
  await combineHeads(
    workspace,
    manifest.id,
    request.subjects.map((s) => s.done.headCommit),
    notes,
  );
  const reviewContext: ReviewContext = {
    taskKey: `issue-${context.issue}`,
    title: request.task.meta.title,
    subjects: request.subjects,
    diffs: await stageDiffs(workspace.dir, request.subjects),
  };
  const session: ReviewSession = {
    context,
    workers: run.workers,
    run: manifest.id,
    taskKey: reviewContext.taskKey,
    cwd: workspace.dir,
  };
  const verifiers = verifierWorkers(context.config.workers.verifiers);
  if (verifiers.length < 2)
    notes.push("only one verifier is configured, so no finding can reach consensus: each is worker-unique");

  display.step("Independent review", "running", `${verifiers.length} verifiers`);
  const independent = await independentReview(session, verifiers, reviewContext);
  const { findings, ignored } = collectFindings(
    independent.results,
    request.subjects.map((s) => s.stage.number),
  );
  display.step(
    "Independent review",
    independent.results.length > 0 ? "done" : "failed",
    `${independent.results.length} of ${verifiers.length} answered · ${findings.length} findings`,
  );
  if (independent.results.length === 0)
    return noVerdict("no verifier answered", {
      convergence: { findings: [], rounds: [], skippedWorkers: independent.skipped },
      ignored,
      notes,
    });

  display.step("Convergence", "running");
  const answered = verifiers.filter((v) => independent.results.some((r) => r.verifier === v.label));
  const convergence = await converge({
    findings,
    reviewers: answered.map((v) => v.label),
    maxRounds: context.config.verification.maxRounds,
    review: reviewPort(session, answered, reviewContext),
  });
  convergence.skippedWorkers.unshift(...independent.skipped);
  display.step(
    "Convergence",
    "done",
    `${convergence.rounds.length} round${convergence.rounds.length === 1 ? "" : "s"}`,
  );

  const verdicts = request.subjects.map((s) =>
    stageVerdict({ stage: s.stage.number, checks: s.checks, findings: convergence.findings }),
  );
  display.step("Verdicts", "done", verdicts.map((v) => `s${v.stage} ${v.verdict}`).join(", "));
  return { convergence, ignored, verdicts, notes };
}

/**
 * The verifiers read one working tree: every stage head of the batch merged
 * (stages of one batch touch disjoint files, so their lines are unchanged).
 * If the heads do not merge, the last stage's head is checked out and the
 * diffs still cover every stage.
 */
async function combineHeads(
  workspace: Workspace,
  run: string,
  heads: readonly string[],
  notes: string[],
): Promise<void> {
  if (heads.length < 2) return;
  const branch = verifyBranch(run);
  await workspace.checkoutNewBranch(branch, heads[0]!);
  try {
    await workspace.mergeInto(branch, heads.slice(1));
  } catch (error) {
    if (!(error instanceof MergeConflictError)) throw error;
    await workspace.checkoutNewBranch(branch, heads.at(-1)!);
    notes.push(
      `the stage heads do not merge (${error.paths.join(", ")}): the verifiers' working tree holds the last stage's head`,
    );
  }
}
