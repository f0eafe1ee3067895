import { mkdtemp, rm } from "node:fs/promises";
import path from "node:path";
import { carrySidecarSchema } from "../../ledger/index.js";
import { git, isAncestor } from "../../util/git.js";
import type { Logger } from "../../util/log.js";
import { executorResultSchema } from "../../workers/results.js";
import { MergeConflictError } from "../../workspace/errors.js";
import type { Workspace } from "../../workspace/workspace.js";
import type { PlanStage } from "../../plan/plan-schema.js";
import { invokeWorker } from "../run/invoke-worker.js";
import type { ImplementationRun } from "./implementation-run.js";
import { failedValidations, failureEvidence, runValidation, type ValidationResult } from "./run-validation.js";
import { runSetup } from "./run-setup.js";
import { setupHint } from "./setup-hint.js";
import { approvedPlanProblem } from "./plan-recheck.js";
import { checkStage, justifiedPlaceholders, linksLeavingClone } from "./stage-checks.js";
import { stageBranch } from "../pull-requests/branch-names.js";
import { ensureTrailers } from "./trailers.js";
import { executorValues } from "./executor-values.js";
import { changedSinceApproval, checkoutStageBase } from "./stage-base.js";
import type { StageOutcome } from "./stage-outcome.js";

export type { StageOutcome } from "./stage-outcome.js";

/**
 * What one stage takes from its run: the command's context (config, workers, status), the approved
 * task, the run's id, budget and signal, and the carries of its dependencies — not the keeper,
 * the pilot or the other stages.
 */
export type StageRun = Pick<
  ImplementationRun,
  | "context"
  | "task"
  | "manifest"
  | "workers"
  | "baseCommit"
  | "baseBranch"
  | "signal"
  | "taskKey"
  | "attemptSuffix"
  | "carryIn"
  | "carryInText"
>;

/**
 * One stage, in the run's workspace (SPEC §6.3):
 * 1. check out the stage branch at its base (dependency heads merged when several);
 * 2. stop with `needs-replan` if a file the stage targets changed on the base branch since approval;
 * 3. run `validation.pre`;
 * 4. run the executor, headless, on the stage branch;
 * 5. judge the work itself: commits, messages, paths, placeholders, out-of-plan edits,
 *    `validation.post` and the qa commands run by okstra;
 * 6. add the trailers, push the branch (never forced), and return the carry.
 * Recording the outcome in the ledger and the PR are the caller's. `log` is
 * the run's logger for this stage (it carries `stage`).
 */
export async function executeStage(
  run: StageRun,
  workspace: Workspace,
  stage: PlanStage,
  dependencyHeads: Map<number, string>,
  guidance: string,
  log: Logger,
): Promise<StageOutcome> {
  const { context, task } = run;
  const issue = context.job.issueNumber;
  const branch = stageBranch(issue, stage.number);
  // The failing commands' output tails travel with the failure: in the ledger row's detail, the report and the comment.
  const failed = (reason: string, detail: string, validation: ValidationResult[] = []): StageOutcome => {
    const evidence = failureEvidence(validation);
    return {
      stage: stage.number,
      status: "failed",
      reason,
      detail: evidence ? `${detail}\n\n${evidence}` : detail,
      validation,
      ...(evidence ? { evidence } : {}),
    };
  };
  const describeFailed = (results: ValidationResult[]) =>
    failedValidations(results)
      .map((r) => `${r.phase} \`${r.command}\` ${r.timedOut ? "timed out" : `exited ${r.exitCode}`}`)
      .join("; ");

  // 1. The base.
  const depHeads = stage.dependsOn.map((dep) => dependencyHeads.get(dep)!);
  let baseCommit: string;
  try {
    baseCommit = await checkoutStageBase(
      workspace,
      branch,
      depHeads.length === 0 ? [run.baseCommit] : depHeads,
      stage,
      log,
    );
  } catch (error) {
    if (error instanceof MergeConflictError)
      return failed("merge-conflict", `merging the dependency heads conflicts in ${error.paths.join(", ")}`);
    throw error;
  }

  // A branch left by a cancelled or crashed attempt on this base is continued, never overwritten.
  const remoteHead = await run.context.services.platform.getBranchHead(branch);
  const resumed =
    remoteHead !== null && remoteHead !== baseCommit && (await isAncestor(workspace.dir, baseCommit, remoteHead));
  if (resumed) await workspace.checkoutNewBranch(branch, remoteHead);

  // 2. Did the base branch change the stage's files since the plan was approved?
  const drift = await changedSinceApproval(workspace, run.baseBranch, run.baseCommit, stage);
  if (drift.length > 0)
    return failed(
      "needs-replan",
      `files this stage targets changed on ${run.baseBranch} since the plan was approved: ${drift.join("; ")}`,
    );

  const home = await mkdtemp(path.join(workspace.root, "home-"));
  try {
    const timeoutMs = context.config.timeouts.stageSeconds * 1000;
    const network = context.config.sandbox.network !== "off";
    // 3. Setup (installs dependencies; tracked changes discarded), then pre-validation.
    const repoKey = `${context.job.repo.owner}/${context.job.repo.repo}`;
    const trustedCommit = task.meta.implementationBaseCommit;
    const setup = await runSetup({
      commands: context.config.setup,
      repoKey,
      cwd: workspace.dir,
      home,
      timeoutMs,
      signal: run.signal,
      network,
      log,
      trustedCommit,
    });
    if (failedValidations(setup).length > 0)
      return failed(
        "setup-failed",
        `${describeFailed(setup)}${setupHint(setup, context.config.setup, workspace.dir)}`,
        setup,
      );
    const pre = [
      ...setup,
      ...(await runValidation(
        stage.validation.pre.map((command) => ({ phase: "pre" as const, command })),
        { cwd: workspace.dir, timeoutMs, signal: run.signal, home, network, recheck: () => approvedPlanProblem(run) },
      )),
    ];
    if (failedValidations(pre).length > 0)
      return failed(
        "validation-failed",
        `${describeFailed(pre)}${setupHint(pre, context.config.setup, workspace.dir)}`,
        pre,
      );

    // 4. The executor.
    await git(["config", "user.name", "okstra"], { cwd: workspace.dir });
    await git(["config", "user.email", "okstra@users.noreply.github.com"], { cwd: workspace.dir });
    const executor = await invokeWorker({ ...context, log }, run.workers, {
      label: `executor-s${stage.number}${run.attemptSuffix(stage.number)}`,
      spec: context.config.workers.executor,
      role: "executor",
      phase: "implementation",
      task: run.taskKey,
      run: run.manifest.id,
      stage: stage.number,
      cwd: workspace.dir,
      input: {
        stage,
        branch,
        baseCommit,
        carryIn: run.carryIn(stage),
        guidance,
        qaCommands: context.config.qaCommands,
      },
      values: executorValues(run, stage, branch, guidance),
      schema: executorResultSchema,
    });
    if (run.signal.aborted)
      return failed(
        "cancelled",
        `the run stopped: ${describeAbort(run.signal)}${await keepFailedWork(run, workspace, branch, baseCommit, remoteHead, log)}`,
        pre,
      );
    if (executor.status !== "ok")
      return failed(
        executor.status,
        `the executor ended ${executor.status}${executor.reason ? `: ${executor.reason}` : ""}`,
        pre,
      );
    // The executor may have left uncommitted files or switched branches; only its commits on the stage branch count.
    await git(["checkout", "--quiet", "--force", branch], { cwd: workspace.dir });
    await git(["clean", "-fdq"], { cwd: workspace.dir });

    // 5. okstra's own checks.
    const [commits, changed, addedLines] = await Promise.all([
      workspace.commitsSince(baseCommit),
      workspace.changedFiles(baseCommit),
      workspace.addedLines(baseCommit),
    ]);
    const checkedHead = (await git(["rev-parse", "HEAD"], { cwd: workspace.dir })).stdout.trim();
    // A qa command the stage already runs as `post` is not run twice.
    const qa = Object.values(context.config.qaCommands).filter((command) => !stage.validation.post.includes(command));
    const post =
      commits.length === 0
        ? []
        : await runValidation(
            [
              ...stage.validation.post.map((command) => ({ phase: "post" as const, command })),
              ...qa.map((command) => ({ phase: "qa" as const, command })),
            ],
            {
              cwd: workspace.dir,
              timeoutMs,
              signal: run.signal,
              home,
              network,
              recheck: () => approvedPlanProblem(run),
            },
          );
    // Validation is repository code with the clone writable: whatever it committed, moved or left is not the
    // stage's work. The branch goes back to the commits okstra checked, and only those are pushed.
    await git(["checkout", "--quiet", "--force", "-B", branch, checkedHead], { cwd: workspace.dir });
    await git(["clean", "-fdq"], { cwd: workspace.dir });
    const validation = [...pre, ...post];
    const escapingLinks = await linksLeavingClone(workspace.dir, baseCommit);
    const checks = checkStage({
      stage,
      commits,
      changed,
      addedLines,
      validation,
      justified: justifiedPlaceholders(executor.result?.notes),
      escapingLinks,
    });
    if (checks.failures.length > 0) {
      const [first] = checks.failures;
      // A red attempt is kept for retry to build on, unless no later commit could repair it:
      // a commit message is history, and a commit under `.okstra/` is not pushed anywhere.
      const unrepairable = checks.failures.some(
        (f) => f.reason === "okstra-path-committed" || f.reason === "non-conventional-commit",
      );
      const kept = unrepairable ? "" : await keepFailedWork(run, workspace, branch, baseCommit, remoteHead, log);
      // Each reason once: the first is the outcome's own, later ones prefix their detail.
      const summary = checks.failures
        .map((f) => (f.reason === first.reason ? f.detail : `${f.reason}: ${f.detail}`))
        .join("\n");
      return failed(
        first.reason,
        `${summary}${kept}${setupHint(validation, context.config.setup, workspace.dir)}`,
        validation,
      );
    }
    if (run.signal.aborted) return failed("cancelled", `the run stopped: ${describeAbort(run.signal)}`, validation);

    // 6. Trailers, push, carry.
    const headCommit = await ensureTrailers(workspace.dir, resumed ? remoteHead! : baseCommit, issue, stage.number);
    const finalCommits = await workspace.commitsSince(baseCommit);
    await workspace.push(branch, { expectedRemoteHead: remoteHead, log });
    const carry = carrySidecarSchema.parse({
      stage: stage.number,
      taskKey: run.taskKey,
      run: run.manifest.id,
      branch,
      stageCommitRange: { base: baseCommit, head: headCommit },
      commits: finalCommits.map((c) => ({ sha: c.sha, subject: c.subject })),
      exposed: {
        files: changed.filter((f) => f.status !== "deleted").map((f) => f.path),
        identifiers: stage.exitContract.identifiers,
        endpoints: stage.exitContract.resources,
      },
      validation: validation
        .filter(isCarriedValidation)
        .map(({ phase, command, exitCode, durationMs, outputTail }) => ({
          phase,
          command,
          exitCode,
          durationMs,
          outputTail,
        })),
      outOfPlanEdits: checks.outOfPlanEdits,
      placeholders: checks.placeholders,
      worker: {
        provider: executor.provider,
        model: executor.model,
        usage: executor.usage,
        summary: executor.result?.summary,
      },
      status: "complete",
    });
    return { stage: stage.number, status: "done", branch, baseCommit, headCommit, carry, validation };
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

/**
 * On cancel or a failed check, what the executor had committed is pushed to
 * the stage branch (with okstra's trailers, never forced, no PR opened) so
 * nothing is lost, a person can look at the red commits, and `/okstra retry`
 * continues from them; uncommitted edits are not kept.
 */
async function keepFailedWork(
  run: StageRun,
  workspace: Workspace,
  branch: string,
  baseCommit: string,
  remoteHead: string | null,
  log: Logger,
): Promise<string> {
  try {
    await git(["checkout", "--quiet", "--force", branch], { cwd: workspace.dir });
    const from = remoteHead && (await isAncestor(workspace.dir, baseCommit, remoteHead)) ? remoteHead : baseCommit;
    if ((await workspace.commitsSince(from)).length === 0) return "; the executor had committed nothing";
    const head = await ensureTrailers(
      workspace.dir,
      from,
      run.context.job.issueNumber,
      Number(branch.split("/s").pop()),
    );
    await workspace.push(branch, { expectedRemoteHead: remoteHead, log });
    return `; partial work kept on \`${branch}\` at \`${head.slice(0, 12)}\``;
  } catch (error) {
    log.warn({ err: error, branch }, "could not keep the work of a stopped or failed stage");
    return "; the partial work could not be pushed";
  }
}

function describeAbort(signal: AbortSignal): string {
  return signal.reason instanceof Error ? signal.reason.message : String(signal.reason ?? "aborted");
}

/** The carry records the stage's own validation; `setup:` is the repository's, reported in the run report. */
function isCarriedValidation(result: ValidationResult): result is ValidationResult & { phase: "pre" | "post" | "qa" } {
  return result.phase !== "setup";
}
