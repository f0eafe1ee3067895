import type { RunManifest, TaskLedger } from "../../ledger/index.js";
import { firstLine } from "../../util/text.js";
import type { CommandContext } from "../context.js";
import type { Plan, PlanStage } from "../../plan/plan-schema.js";
import { reconcileStageHeads } from "../reconcile/reconcile-stage-heads.js";
import { CommandRefusal } from "../refusal.js";
import { describeRestack } from "../restack/restack-command.js";
import { restackTask } from "../restack/restack-task.js";
import { DuplicateTriggerError, runStartedBy, startRun } from "../run/start-run.js";
import { requirePlan } from "../verification/select-stages.js";
import { answerThreads } from "./answer-threads.js";
import { executeRevision } from "./execute-revision.js";
import { recordStageDone } from "../implementation/record-stage.js";
import {
  describeWithheld,
  gatherReviewFeedback,
  isEmptyFeedback,
  renderReviewFeedback,
  type ReviewFeedback,
} from "./review-feedback.js";
import { finishRevisionRun } from "./revision-report.js";
import { verifyAfterStageMoves } from "./verify-moved-stages.js";

/** What a revise works from, read once. */
export interface Revision {
  task: TaskLedger;
  plan: Plan;
  stage: PlanStage;
  pull: number | null;
  feedback: ReviewFeedback;
  /** The command's guidance lines and the review feedback, as the executor reads them. */
  guidance: string;
}

/**
 * `/okstra revise [--stage N]` (SPEC §15.2):
 * 1. record user pushes, then gather the stage's review feedback since its last `done`;
 * 2. start an implementation run and let the executor commit on top of the stage branch,
 *    judged by okstra's own checks and pushed as a fast-forward;
 * 3. record `done` with `source: "revise"` (the verdict is now stale);
 * 4. answer each review thread it addressed;
 * 5. restack the stage's dependents; 6. re-verify what moved (`autoVerify`).
 */
export async function reviseCommand(context: CommandContext): Promise<void> {
  const { command, job, services } = context;
  if (command.verb !== "revise") throw new Error(`reviseCommand cannot carry out ${command.verb}`);
  const issue = job.issueNumber;
  if (command.stage === undefined)
    throw new CommandRefusal(
      "`/okstra revise` needs to know which stage to revise.",
      "`/okstra revise --stage N`, or comment `/okstra revise` on the stage's PR.",
    );
  if (await runStartedBy(services.ledger, issue, job.comment.id)) return;
  await services.ledger.reconcile(issue).catch((error: unknown) => {
    if ((error as Error).name !== "TaskNotFoundError") throw error;
  });
  await reconcileStageHeads(services, issue, { log: context.log });
  const revision = await prepareRevision(context, command.stage);

  let manifest: RunManifest;
  try {
    const now = services.now();
    manifest = await startRun(services.ledger, {
      issue,
      phase: "implementation",
      job,
      now,
      extra: {
        batch: [revision.stage.number],
        revise: true,
        guidance: context.guidance,
        baseBranch: revision.task.meta.baseBranch,
      },
    });
  } catch (error) {
    if (error instanceof DuplicateTriggerError) return;
    throw error;
  }
  context.run.runId = manifest.id;
  context.run.phases = [{ name: `Revise stage ${revision.stage.number} · ${revision.stage.title}`, state: "running" }];
  context.status.update(context.run);

  const { outcome, workers } = await executeRevision(context, manifest, revision);
  const phase = context.run.phases[0]!;
  if (outcome.status === "done") {
    await recordStageDone(services.ledger, issue, manifest.id, outcome.carry, services.now(), "revise");
    Object.assign(phase, { state: "done", detail: `\`${outcome.headCommit.slice(0, 12)}\` on \`${outcome.branch}\`` });
    const answered = await answerThreads(context, revision, outcome);
    context.run.body = [
      `Stage ${revision.stage.number} revised: ${answered} review thread(s) answered.`,
      describeWithheld(revision.feedback.withheld),
    ]
      .filter(Boolean)
      .join("\n\n");
  } else {
    await services.ledger.appendRows(issue, [
      {
        run: manifest.id,
        status: "failed",
        stage: revision.stage.number,
        reason: outcome.reason,
        detail: outcome.detail.slice(0, 8_000),
      },
    ]);
    Object.assign(phase, { state: "failed", detail: `${outcome.reason}: ${firstLine(outcome.detail)}` });
    context.run.body = `Stage ${revision.stage.number} was not revised: ${outcome.reason}. The branch is as it was.`;
  }
  const moved =
    outcome.status === "done" ? [revision.stage.number, ...(await restackAfterRevision(context, manifest.id))] : [];
  await finishRevisionRun(context, manifest, revision, outcome, workers);
  await verifyAfterStageMoves(context, moved);
}

async function prepareRevision(context: CommandContext, stageNumber: number): Promise<Revision> {
  const { job, services } = context;
  const { task, plan } = requirePlan(await services.ledger.readTask(job.issueNumber), job.issueNumber);
  const stage = plan.stages.find((s) => s.number === stageNumber);
  if (!stage)
    throw new CommandRefusal(
      `stage ${stageNumber} is not in plan v${task.meta.planVersion} of #${task.issue}.`,
      "`/okstra status` lists the stages.",
    );
  const state = task.state.stages.find((s) => s.stage === stageNumber);
  if (!state?.done)
    throw new CommandRefusal(
      `stage ${stageNumber} is not done, so there is nothing to revise yet.`,
      `\`/okstra implement --stage ${stageNumber}\` first.`,
    );
  if (state.claim)
    throw new CommandRefusal(
      `stage ${stageNumber} is being worked on by run \`${state.claim.run}\`.`,
      "Wait for it to finish, then comment `/okstra revise` again.",
    );
  const pull = state.prs.filter((p) => p.kind === "stage").at(-1)?.number ?? null;
  const feedback =
    pull === null
      ? { threads: [], changeRequests: [], withheld: [] }
      : await gatherReviewFeedback(
          services.platform,
          pull,
          state.done.at,
          job.comment,
          context.config.minimumPermission,
        );
  if (isEmptyFeedback(feedback) && context.guidance.trim() === "") {
    throw new CommandRefusal(
      [
        `there is nothing to revise stage ${stageNumber} from: no unresolved review thread or change request on ${pull === null ? "its PR" : `#${pull}`} since it was done (${state.done.at}), and no guidance after the command.`,
        describeWithheld(feedback.withheld),
      ]
        .filter(Boolean)
        .join(" "),
      "Leave review comments on the stage's PR, or write what to change on the lines after `/okstra revise`.",
    );
  }
  const guidance = [
    context.guidance.trim() && `## Guidance from @${job.comment.author}\n\n${context.guidance.trim()}`,
    pull === null ? "" : renderReviewFeedback(feedback, pull),
  ]
    .filter(Boolean)
    .join("\n\n");
  return { task, plan, stage, pull, feedback, guidance };
}

/** The revised head is new: its dependents merge it (SPEC §15.3). Returns the stages that moved. */
async function restackAfterRevision(context: CommandContext, run: string): Promise<number[]> {
  const { services, job } = context;
  const { task, plan } = requirePlan(await services.ledger.readTask(job.issueNumber), job.issueNumber);
  const outcome = await restackTask(services, { issue: job.issueNumber, task, plan, trigger: run, log: context.log });
  if (outcome.restacked.length > 0 || outcome.conflicts.length > 0)
    context.run.body = [context.run.body, describeRestack(outcome)].filter(Boolean).join("\n\n");
  return outcome.restacked.map((r) => r.stage);
}
