import {
  StageClaimedError,
  StageDoneError,
  taskWithStageDone,
  type CarrySidecar,
  type RunManifest,
} from "../../ledger/index.js";
import { BudgetMeter } from "../../workers/budget.js";
import { withWorkspace, type Workspace } from "../../workspace/workspace.js";
import type { CommandContext } from "../context.js";
import { readApprovedTask } from "../../plan/approved-task.js";
import { reconcileStageHeads } from "../reconcile/reconcile-stage-heads.js";
import { CommandRefusal } from "../refusal.js";
import { runResultFiles } from "../run/finish-run.js";
import type { RunWorkers } from "../run/invoke-worker.js";
import { DuplicateTriggerError, runTrigger, startRun } from "../run/start-run.js";
import { scheduleRecoveryCheck } from "../recovery/schedule.js";
import { registerRun } from "../run/active-runs.js";
import { runLogger, stageLogger } from "../run/run-log.js";
import { executeStage, type StageOutcome } from "./execute-stage.js";
import { ImplementationRun } from "./implementation-run.js";
import { LeaseKeeper } from "./lease-keeper.js";
import { renderImplementationReport } from "./implementation-report.js";
import { decideAfterBatch, type PilotDecision } from "./pilot.js";
import { chooseBatch, chooseRetryBatch } from "./select-batch.js";
import { PushRejectedError } from "../../workspace/errors.js";
import { redactSecrets } from "../../util/redact.js";
import { GitError } from "../../util/git.js";
import { publishStagePullRequest, refreshStackBlocks, stagePrRow } from "../pull-requests/stage-prs.js";
import { ledgerStacksMemory } from "../pull-requests/stacks-memory.js";
import { verifyAfterImplementation } from "../verification/verify-command.js";
import { firstLine } from "../../util/text.js";

/**
 * An implementation run (SPEC §6), for `/okstra implement [--stage auto|N]`:
 * 1. check the plan is approved; turn expired leases into `abandoned` rows;
 * 2. choose the batch (ready set within the step budget, or the one stage asked for);
 * 3. start the run and claim the batch in one compare-and-swap commit each
 *    (a lost claim re-selects);
 * 4. in one workspace, execute the stages in ascending order — a stage whose
 *    dependency failed in this batch is not attempted — and record each as
 *    `done` (carry + row) or `failed` as soon as it ends;
 * 5. publish stage PRs for the done stages;
 * 6. write the run's files and the final status.
 * Leases are renewed while the run works; losing one stops the run.
 */

export async function implementCommand(context: CommandContext): Promise<void> {
  const { job, services, config } = context;
  const command = context.command;
  if (command.verb !== "implement" && command.verb !== "retry")
    throw new Error(`implementCommand cannot carry out ${command.verb}`);
  const requested = command.verb === "implement" ? command.stage : (command.stage ?? "auto");
  // One run reads the ledger head once and follows its own writes from there (SPEC §13, `Ledger.pinned`).
  const ledger = services.ledger.pinned();
  context.services = { ...services, ledger };
  const now = services.now;
  const issue = job.issueNumber;

  // A job run again after its process died (a stalled queue job) finds its run started and does nothing:
  // the run is the crash-recovery check's to close, not a second run's to refuse or repeat.
  const runs = await ledger.runs(issue);
  const previous = runs.startedBy(job.comment.id);
  if (previous) {
    context.log.info({ run: previous }, "this comment already started a run; nothing to do");
    return;
  }

  // 1. Preconditions.
  await ledger.reconcile(issue).catch((error: unknown) => {
    if ((error as Error).name !== "TaskNotFoundError") throw error;
  });
  // Dependents start from their dependencies' done heads: commits pushed onto a done stage branch are recorded first, so they build on them (SPEC §10).
  await reconcileStageHeads(context.services, issue, { log: context.log });
  const approved = await readApprovedTask(ledger, issue);
  const { plan, baseCommit } = approved;
  let task = approved.task;

  // 2–3. Batch, then the run started and the batch claimed in one commit (a lost claim re-selects).
  const choose = (stage: "auto" | number) =>
    (command.verb === "retry" ? chooseRetryBatch : chooseBatch)(task, plan, stage, config.implementation.runStepBudget);
  let batch = choose(requested);
  let manifest: RunManifest;
  const leaseMs = services.leaseMs;
  for (let attempt = 0; ; attempt++) {
    const leaseUntil = new Date(now().getTime() + leaseMs);
    try {
      const extra = { batch, guidance: context.guidance, baseBranch: task.meta.baseBranch };
      const started = await ledger.startRun(
        { issue, phase: "implementation", trigger: runTrigger(job), now: now(), extra },
        { stages: batch, leaseUntil: leaseUntil.toISOString(), baseCommit },
      );
      manifest = started.manifest;
      await scheduleRecoveryCheck(context.services, issue, leaseUntil, context.log);
      break;
    } catch (error) {
      if (error instanceof DuplicateTriggerError) return;
      if (
        !(error instanceof StageClaimedError || error instanceof StageDoneError) ||
        attempt >= 2 ||
        requested !== "auto"
      ) {
        if (error instanceof StageClaimedError || error instanceof StageDoneError)
          await recordRefusedRun(context, batch, error.message);
        if (error instanceof StageClaimedError || error instanceof StageDoneError)
          throw new CommandRefusal(`${error.message}.`, "`/okstra status` shows who holds which stage.");
        throw error;
      }
      // Another run claimed part of the batch first: choose again from what is left.
      task = (await readApprovedTask(ledger, issue)).task;
      batch = choose("auto");
    }
  }
  context.log = runLogger(context.log, manifest.id);
  // The keeper renews and polls for a cancellation with the unpinned ledger: it must see other writers.
  const keeper = new LeaseKeeper(services.ledger, issue, manifest.id, batch, leaseMs, context.log, now);

  context.run.runId = manifest.id;
  context.run.phases = batch.map((stage) => ({
    name: `Stage ${stage} · ${plan.stages.find((s) => s.number === stage)!.title}`,
    state: "pending",
  }));
  context.status.update(context.run);

  const workers: RunWorkers = {
    budget: new BudgetMeter(config.budgets, { task: runs.spend }),
    records: [],
    signal: keeper.signal,
  };
  const run = new ImplementationRun(context, manifest, task, plan, workers, keeper, task.meta.baseBranch);
  keeper.start();
  const unregister = registerRun(job.repo, issue, manifest.id, keeper.controller);
  const outcomes: StageOutcome[] = [];
  try {
    await withWorkspace(
      {
        remote: () => services.platform.gitRemote(),
        baseCommit,
        runId: `${job.repo.owner}-${job.repo.repo}-${issue}-${manifest.id}`,
        log: context.log,
        signal: keeper.signal,
      },
      (workspace) => executeBatch(run, workspace, batch, keeper, outcomes),
    );
  } catch (error) {
    context.log.error({ err: error }, "implementation run stopped");
    const done = new Set(outcomes.map((o) => o.stage));
    const abortReason = String((keeper.signal.reason as Error)?.message ?? keeper.signal.reason);
    const { reason, detail } = keeper.signal.aborted
      ? { reason: abortReason.startsWith("cancelled") ? "cancelled" : "lease-lost", detail: abortReason }
      : describeStageError(error);
    for (const stage of batch.filter((s) => !done.has(s))) {
      outcomes.push({ stage, status: "failed", reason, detail, validation: [] });
      const phase = context.run.phases.find((p) => p.name.startsWith(`Stage ${stage} `));
      if (phase) Object.assign(phase, { state: "failed", detail: `${reason}: ${firstLine(detail)}` });
    }
    await ledger
      .appendRows(
        issue,
        outcomes
          .filter((o): o is Extract<StageOutcome, { status: "failed" }> => o.status === "failed" && !done.has(o.stage))
          .map((o) => failedRow(manifest.id, o)),
      )
      .catch((err: unknown) => context.log.error({ err }, "could not record the stopped stages"));
  } finally {
    keeper.stop();
    unregister();
  }

  const failed = outcomes.filter((o) => o.status === "failed");
  await finishRun(
    context,
    manifest,
    batch,
    outcomes,
    workers,
    run.pilot,
    failed.length === 0 ? "succeeded" : "failed",
    failed.length === 0 ? `${outcomes.length} stage(s) done` : `${failed.length} of ${batch.length} stage(s) failed`,
  );
  if (config.verification.autoVerify)
    await verifyAfterImplementation(
      context,
      outcomes.flatMap((o) => (o.status === "done" ? [o.stage] : [])),
    );
}

/**
 * The stages of the batch in ascending order, then — when some failed and
 * the pilot (or its fallback) says so — one more attempt at each stage it
 * picked, re-claimed first because the failure ended the claim.
 */
async function executeBatch(
  run: ImplementationRun,
  workspace: Workspace,
  batch: number[],
  keeper: LeaseKeeper,
  outcomes: StageOutcome[],
): Promise<void> {
  const heads = new Map<number, string>(
    run.task.state.stages.filter((s) => s.done).map((s) => [s.stage, s.done!.headCommit]),
  );
  for (const stageNumber of batch)
    outcomes.push(await attemptStage(run, workspace, stageNumber, heads, outcomes, run.context.guidance));

  const remaining = run.plan.stages.map((s) => s.number).filter((s) => !heads.has(s));
  const decision = await decideAfterBatch(run, workspace, outcomes, remaining);
  if (!decision) return;
  run.context.run.body = pilotSummary(decision);
  run.pilot = decision;
  const retry = decision.retry.filter(() => !run.signal.aborted);
  if (retry.length === 0) return;
  const { context, manifest } = run;
  const leaseUntil = keeper.leaseUntil();
  await context.services.ledger.claimStages(
    context.job.issueNumber,
    manifest.id,
    retry.map((r) => r.stage),
    leaseUntil,
    run.baseCommit,
  );
  await scheduleRecoveryCheck(context.services, context.job.issueNumber, leaseUntil, context.log);
  keeper.track(retry.map((r) => r.stage));
  for (const { stage, guidance } of retry) {
    const index = outcomes.findIndex((o) => o.stage === stage);
    const others = outcomes.filter((_, i) => i !== index);
    outcomes[index] = await attemptStage(
      run,
      workspace,
      stage,
      heads,
      others,
      [context.guidance, `Guidance for this retry:\n${guidance}`].filter(Boolean).join("\n\n"),
    );
  }
}

/** One attempt at one stage: run it (unless a dependency failed in this run), then record it as done — with its PR — or failed. */
async function attemptStage(
  run: ImplementationRun,
  workspace: Workspace,
  stageNumber: number,
  heads: Map<number, string>,
  earlier: StageOutcome[],
  guidance: string,
): Promise<StageOutcome> {
  const { context, manifest } = run;
  const issue = context.job.issueNumber;
  const ledger = context.services.ledger;
  const now = context.services.now;
  const stage = run.plan.stages.find((s) => s.number === stageNumber)!;
  const phase = context.run.phases.find((p) => p.name.startsWith(`Stage ${stageNumber} `))!;
  const blockedBy = stage.dependsOn.filter((dep) => earlier.some((o) => o.stage === dep && o.status === "failed"));
  const log = stageLogger(context.log, stageNumber);

  let outcome: StageOutcome;
  if (blockedBy.length > 0) {
    outcome = {
      stage: stageNumber,
      status: "failed",
      reason: "dependency-failed",
      detail: `stage ${blockedBy.join(", ")} failed in this run`,
      validation: [],
    };
  } else {
    if (run.signal.aborted)
      throw run.signal.reason instanceof Error ? run.signal.reason : new Error("the run was stopped");
    phase.state = "running";
    phase.detail = guidance !== context.guidance ? "retrying" : undefined;
    context.status.update(context.run);
    try {
      outcome = await executeStage(run, workspace, stage, heads, guidance, log);
    } catch (error) {
      // One stage's git, push or platform failure is that stage's failure: the batch goes on
      // with the stages that do not depend on it (SPEC §6.3). A lost lease stops everything.
      if (run.signal.aborted) throw error;
      log.warn({ err: error }, "stage failed with an error");
      outcome = { stage: stageNumber, status: "failed", ...describeStageError(error), validation: [] };
    }
  }

  if (outcome.status === "done") {
    heads.set(stageNumber, outcome.headCommit);
    run.carries.set(stageNumber, outcome.carry);
    phase.state = "done";
    phase.detail = `\`${outcome.headCommit.slice(0, 12)}\` on \`${outcome.branch}\` · ${describeValidation(outcome)}`;
    phase.detail += ` · ${await publishDoneStage(run, outcome.carry, now())}`;
  } else {
    await ledger.appendRows(issue, [failedRow(manifest.id, outcome)]);
    phase.state = "failed";
    phase.detail = `${outcome.reason}: ${firstLine(outcome.detail)}`;
  }
  run.keeper.release(stageNumber);
  context.status.update(context.run);
  return outcome;
}

function pilotSummary(decision: PilotDecision): string {
  const lines = [
    `**Pilot** (${decision.source === "pilot" ? "the pilot worker" : "okstra's fallback"}): ${decision.analysis}`,
  ];
  if (decision.rejected) lines.push(`_The pilot's answer was not used: ${decision.rejected}._`);
  if (decision.retry.length) lines.push(`Retrying: ${decision.retry.map((r) => `stage ${r.stage}`).join(", ")}.`);
  if (decision.skip.length)
    lines.push(`Skipped: ${decision.skip.map((s) => `stage ${s.stage} (${s.reason})`).join(", ")}.`);
  if (decision.replan) lines.push("The pilot recommends `/okstra replan`.");
  return lines.join("\n");
}

/**
 * Records the done stage and its PR (SPEC §7.1): the PR is opened (or
 * updated) from the task as it will read once the stage is done, then the
 * carry, the `done` row and the `pr` row go into one commit; then the
 * navigation block of every stage PR of the task is refreshed. The stage is
 * done whatever happens to its PR: its branch is pushed and its carry written,
 * so a PR that cannot be opened now is reported, and the next run publishes it.
 */
async function publishDoneStage(run: ImplementationRun, carry: CarrySidecar, at: Date): Promise<string> {
  const { context, manifest, plan } = run;
  const { platform, ledger } = context.services;
  const issue = context.job.issueNumber;
  const stage = carry.stage;
  const current = await ledger.readTask(issue);
  if (!current) throw new Error(`task #${issue} left the ledger during the run`);
  const done = { run: manifest.id, carry, now: at };
  let pr: Awaited<ReturnType<typeof publishStagePullRequest>> | null = null;
  let problem = "";
  try {
    pr = await publishStagePullRequest({
      platform,
      task: taskWithStageDone(current, done),
      plan,
      stage,
      draft: context.config.implementation.draftStagePRs,
      log: context.log,
    });
  } catch (error) {
    context.log.error({ err: error, stage }, "could not publish the stage PR");
    problem = firstLine(error instanceof Error ? error.message : String(error));
  }
  const prRow = pr ? [stagePrRow({ run: manifest.id, stage, branch: pr.branch, number: pr.number, url: pr.url })] : [];
  await ledger.recordStageDone(issue, { ...done, with: prRow });
  if (!pr) return `PR not opened yet: ${problem}`;
  try {
    const task = await ledger.readTask(issue);
    // The PRs publish read are still current: only the other stage PRs' blocks may need a write.
    const known = { prs: pr.known, fresh: pr.number };
    if (task)
      await refreshStackBlocks({ platform, task, plan, log: context.log, known, stacks: ledgerStacksMemory(ledger) });
  } catch (error) {
    context.log.error({ err: error, stage }, "could not refresh the stage PRs' navigation");
  }
  context.run.links.push({ label: `stage ${stage} PR #${pr.number}`, url: pr.url });
  return `PR [#${pr.number}](${pr.url}) → \`${pr.baseBranch}\``;
}

/**
 * A failure as the user should read it. Git's own words for a refused
 * credential ("could not read Username … terminal prompts disabled") do not
 * say what happened, so the common cases are named; credentials are never
 * part of the text (the header is never on a command line or in a URL).
 */
function describeStageError(error: unknown): { reason: string; detail: string } {
  const message = redactSecrets(error instanceof Error ? error.message : String(error));
  if (error instanceof PushRejectedError) return { reason: "push-rejected", detail: message };
  const failure =
    error instanceof GitError
      ? error.failure
      : error instanceof Error && error.cause instanceof GitError
        ? error.cause.failure
        : "other";
  if (failure === "auth") {
    return {
      reason: "git-auth-failed",
      detail: `the git server refused okstra's credentials (HTTP 401): the installation token was not accepted. ${message}`,
    };
  }
  if (failure === "permission") {
    return {
      reason: "git-permission-denied",
      detail: `the git server refused the push (HTTP 403): the App needs \`contents: write\` on this repository. ${message}`,
    };
  }
  return { reason: "error", detail: message };
}

function failedRow(run: string, outcome: Extract<StageOutcome, { status: "failed" }>) {
  return {
    run,
    status: "failed" as const,
    stage: outcome.stage,
    reason: outcome.reason,
    detail: outcome.detail.slice(0, 8_000),
  };
}

/** A claim refused for good still leaves a run on the ledger, started and refused, saying why. */
async function recordRefusedRun(context: CommandContext, batch: number[], reason: string): Promise<void> {
  const now = context.services.now;
  const extra = { batch, guidance: context.guidance };
  const manifest = await startRun(context.services.ledger, {
    issue: context.job.issueNumber,
    phase: "implementation",
    job: context.job,
    now: now(),
    extra,
  });
  await finishRun(
    context,
    manifest,
    [],
    [],
    { budget: new BudgetMeter(context.config.budgets), records: [] },
    null,
    "refused",
    reason,
  );
}

async function finishRun(
  context: CommandContext,
  manifest: RunManifest,
  batch: number[],
  outcomes: StageOutcome[],
  workers: RunWorkers,
  pilot: PilotDecision | null,
  status: "succeeded" | "failed" | "refused",
  outcome: string,
): Promise<void> {
  const now = context.services.now;
  const issue = context.job.issueNumber;
  const report = renderImplementationReport({ manifest, batch, outcomes, workers: workers.records, outcome });
  await context.services.ledger.writeFiles(
    issue,
    runResultFiles({ manifest, status, finishedAt: now(), outcome, report, workers, extra: { batch } }),
    `ledger(#${issue}): ${manifest.id} ${status}`,
  );
  if (status === "refused") return;
  const cancelled =
    outcomes.length > 0 &&
    outcomes.every((o) => o.status === "done" || o.reason === "cancelled") &&
    outcomes.some((o) => o.status === "failed");
  context.run.outcome = status === "succeeded" ? "succeeded" : cancelled ? "cancelled" : "failed";
  context.run.finishedAt = now().toISOString();
  const done = outcomes.filter((o) => o.status === "done").map((o) => o.stage);
  const pilotNote = pilot ? [pilotSummary(pilot), ""] : [];
  context.run.body = [
    `Batch ${batch.join(", ")}: ${done.length} done${done.length < batch.length ? `, ${batch.length - done.length} failed` : ""}.`,
    "",
    ...pilotNote,
    ...outcomes.flatMap((o) =>
      o.status === "failed" && o.evidence ? [failureDetails(o.stage, o.reason, o.evidence), ""] : [],
    ),
    status === "succeeded"
      ? "Next: `/okstra implement` for the next ready stages, or `/okstra status`."
      : "Next: `/okstra retry` the failed stages after reading the report, or `/okstra status`.",
  ].join("\n");
  context.run.links = [
    ...context.run.links,
    { label: "report", url: context.services.ledger.fileUrl(issue, `runs/${manifest.id}/report.md`) },
  ];
  await context.status.finish(context.run);
}

/** A failed stage's output tails, folded: the comment says why without burying the rest. */
function failureDetails(stage: number, reason: string, evidence: string): string {
  const fence = evidence.includes("```") ? "~~~~" : "```";
  return [
    `<details><summary>Stage ${stage}: ${reason} — output</summary>`,
    "",
    fence,
    evidence,
    fence,
    "",
    "</details>",
  ].join("\n");
}

function describeValidation(outcome: Extract<StageOutcome, { status: "done" }>): string {
  const passed = outcome.validation.filter((v) => v.exitCode === 0).length;
  return `${passed}/${outcome.validation.length} validation commands passed`;
}
