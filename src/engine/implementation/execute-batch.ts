import type { PlanStage } from "../../plan/plan-schema.js";
import { withWorkspace, type Workspace } from "../../workspace/workspace.js";
import type { PhaseStep } from "../run/run-state.js";
import { registerRun } from "../run/active-runs.js";
import { stageLogger } from "../run/run-log.js";
import { scheduleRecoveryCheck } from "../recovery/schedule.js";
import { executeStage } from "./execute-stage.js";
import { pilotSummary } from "./finish-implementation.js";
import type { ImplementationRun } from "./implementation-run.js";
import { decideAfterBatch } from "./pilot.js";
import { publishDoneStage } from "./publish-stage.js";
import { describeStageError } from "./stage-error.js";
import { failedRow, stagePhaseStatus, type StageOutcome } from "./stage-outcome.js";

/**
 * Step 3: in one workspace, the stages of the batch in ascending order, each
 * recorded as soon as it ends. Leases are renewed meanwhile; a lost lease, a
 * cancel or an error outside one stage stops the run, and the stages it did
 * not reach are recorded `failed` with why. Returns every stage's outcome.
 */
export async function executeBatch(run: ImplementationRun, batch: number[], baseCommit: string) {
  const { context, manifest, keeper } = run;
  const { job, services } = context;
  const outcomes: StageOutcome[] = [];
  keeper.start();
  const unregister = registerRun(job.repo, job.issueNumber, manifest.id, keeper.controller);
  try {
    await withWorkspace(
      {
        remote: () => services.platform.gitRemote(),
        baseCommit,
        runId: `${job.repo.owner}-${job.repo.repo}-${job.issueNumber}-${manifest.id}`,
        log: context.log,
        signal: keeper.signal,
      },
      (workspace) => runStages(run, workspace, batch, outcomes),
    );
  } catch (error) {
    context.log.error({ err: error }, "implementation run stopped");
    await recordStopped(run, batch, outcomes, error);
  } finally {
    keeper.stop();
    unregister();
  }
  return outcomes;
}

/** The stages the run did not finish, `failed` with why it stopped: on the ledger and in the status lines. */
async function recordStopped(run: ImplementationRun, batch: number[], outcomes: StageOutcome[], error: unknown) {
  const { context, keeper } = run;
  const done = new Set(outcomes.map((o) => o.stage));
  const abortReason = String((keeper.signal.reason as Error)?.message ?? keeper.signal.reason);
  const { reason, detail } = keeper.signal.aborted
    ? { reason: abortReason.startsWith("cancelled") ? "cancelled" : "lease-lost", detail: abortReason }
    : describeStageError(error);
  const stopped = batch
    .filter((s) => !done.has(s))
    .map((stage) => ({ stage, status: "failed" as const, reason, detail, validation: [] }));
  for (const outcome of stopped) {
    outcomes.push(outcome);
    const phase = stagePhase(run, outcome.stage);
    if (phase) Object.assign(phase, stagePhaseStatus(outcome));
  }
  await context.services.ledger
    .appendRows(
      context.job.issueNumber,
      stopped.map((o) => failedRow(run.manifest.id, o)),
    )
    .catch((err: unknown) => context.log.error({ err }, "could not record the stopped stages"));
}

/**
 * The stages of the batch in ascending order, then — when some failed and
 * the pilot (or its fallback) says so — one more attempt at each stage it
 * picked, re-claimed first because the failure ended the claim.
 */
async function runStages(run: ImplementationRun, workspace: Workspace, batch: number[], outcomes: StageOutcome[]) {
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
  const { context, manifest, keeper } = run;
  const leaseUntil = keeper.leaseUntil();
  const stages = retry.map((r) => r.stage);
  await context.services.ledger.claimStages(context.job.issueNumber, manifest.id, stages, leaseUntil, run.baseCommit);
  await scheduleRecoveryCheck(context.services, context.job.issueNumber, leaseUntil, context.log);
  keeper.track(stages);
  for (const { stage, guidance } of retry) {
    const index = outcomes.findIndex((o) => o.stage === stage);
    const others = outcomes.filter((_, i) => i !== index);
    const retryGuidance = [context.guidance, `Guidance for this retry:\n${guidance}`].filter(Boolean).join("\n\n");
    outcomes[index] = await attemptStage(run, workspace, stage, heads, others, retryGuidance);
  }
}

/**
 * One attempt at one stage: run it (unless a dependency failed in this run),
 * then record it as done — with its PR — or failed; its status line follows
 * from the outcome.
 */
async function attemptStage(
  run: ImplementationRun,
  workspace: Workspace,
  stageNumber: number,
  heads: Map<number, string>,
  earlier: StageOutcome[],
  guidance: string,
): Promise<StageOutcome> {
  const { context, manifest } = run;
  const stage = run.plan.stages.find((s) => s.number === stageNumber)!;
  const phase = stagePhase(run, stageNumber)!;
  const outcome = await runStage(run, workspace, stage, heads, earlier, guidance, phase);
  let published: string | undefined;
  if (outcome.status === "done") {
    heads.set(stageNumber, outcome.headCommit);
    run.carries.set(stageNumber, outcome.carry);
    published = await publishDoneStage(run, outcome.carry, context.services.now());
  } else {
    await context.services.ledger.appendRows(context.job.issueNumber, [failedRow(manifest.id, outcome)]);
  }
  Object.assign(phase, stagePhaseStatus(outcome, published));
  run.keeper.release(stageNumber);
  context.status.update(context.run);
  return outcome;
}

/** The stage executed, or its failure: a dependency failed in this run, or the stage's own error. */
async function runStage(
  run: ImplementationRun,
  workspace: Workspace,
  stage: PlanStage,
  heads: Map<number, string>,
  earlier: StageOutcome[],
  guidance: string,
  phase: PhaseStep,
): Promise<StageOutcome> {
  const { context } = run;
  const blockedBy = stage.dependsOn.filter((dep) => earlier.some((o) => o.stage === dep && o.status === "failed"));
  if (blockedBy.length > 0) {
    const detail = `stage ${blockedBy.join(", ")} failed in this run`;
    return { stage: stage.number, status: "failed", reason: "dependency-failed", detail, validation: [] };
  }
  if (run.signal.aborted)
    throw run.signal.reason instanceof Error ? run.signal.reason : new Error("the run was stopped");
  phase.state = "running";
  phase.detail = guidance !== context.guidance ? "retrying" : undefined;
  context.status.update(context.run);
  const log = stageLogger(context.log, stage.number);
  try {
    return await executeStage(run, workspace, stage, heads, guidance, log);
  } catch (error) {
    // One stage's git, push or platform failure is that stage's failure: the batch goes on
    // with the stages that do not depend on it (SPEC §6.3). A lost lease stops everything.
    if (run.signal.aborted) throw error;
    log.warn({ err: error }, "stage failed with an error");
    return { stage: stage.number, status: "failed", ...describeStageError(error), validation: [] };
  }
}

function stagePhase(run: ImplementationRun, stage: number): PhaseStep | undefined {
  return run.context.run.phases.find((p) => p.name.startsWith(`Stage ${stage} `));
}
