import { redactSecrets } from "../../util/redact.js";
import type { CommandContext } from "../context.js";
import { reconcileStageHeads } from "../reconcile/reconcile-stage-heads.js";
import { runVerification } from "./run-verification.js";
import { commentTrigger, fromCommandContext } from "./verification-context.js";
import { requireDoneStage, requirePlan, unverifiedStages, verificationSubjects } from "./select-stages.js";

/**
 * The two ways a comment starts verification:
 * - `/okstra verify [--stage N]` — its own run and status comment;
 * - `verification.autoVerify` — right after an implementation run, over the
 *   stages that run completed, reported on the implementation's status comment.
 */

export async function verifyCommand(context: CommandContext): Promise<void> {
  const { command, job, services } = context;
  if (command.verb !== "verify") throw new Error(`verifyCommand cannot carry out ${command.verb}`);
  const issue = job.issueNumber;
  // A carry written by a run that crashed before its `done` row still counts (SPEC §4.1).
  await services.ledger.reconcile(issue).catch((error: unknown) => {
    if ((error as Error).name !== "TaskNotFoundError") throw error;
  });
  // A stage branch rebased, force-pushed or pushed on top since its `done`: verify judges the head it has now (SPEC §10).
  await reconcileStageHeads(services, issue, {
    log: context.log,
    reverifying: (stage) => command.stage === undefined || command.stage === stage,
  });
  const { task, plan } = requirePlan(await services.ledger.readTask(issue), issue);
  const stages =
    command.stage === undefined ? unverifiedStages(task, plan) : requireDoneStage(task, plan, command.stage);
  await runVerification(fromCommandContext(context), {
    task,
    plan,
    subjects: verificationSubjects(task, plan, stages),
    trigger: {
      kind: "comment",
      ...commentTrigger(context),
    },
    embedded: false,
  });
}

/**
 * autoVerify: verifies the stages an implementation run just completed. The
 * implementation is done whatever happens here, so a verification that
 * cannot start is reported on its status comment, never thrown.
 */
export async function verifyAfterImplementation(context: CommandContext, doneStages: readonly number[]): Promise<void> {
  if (doneStages.length === 0 || !context.run.runId) return;
  const { job, services } = context;
  const implementation = { outcome: context.run.outcome, finishedAt: context.run.finishedAt };
  try {
    const { task, plan } = requirePlan(await services.ledger.readTask(job.issueNumber), job.issueNumber);
    await runVerification(fromCommandContext(context), {
      task,
      plan,
      subjects: verificationSubjects(
        task,
        plan,
        [...doneStages].sort((a, b) => a - b),
      ),
      trigger: {
        kind: "after-implementation",
        ...commentTrigger(context),
        implementationRun: context.run.runId,
      },
      embedded: true,
    });
  } catch (error) {
    context.log.error({ err: error }, "automatic verification could not run");
    const reason = redactSecrets(error instanceof Error ? error.message : String(error));
    // The implementation's outcome stands: verification is reported next to it, never instead of it.
    Object.assign(context.run, implementation);
    context.run.body = [
      context.run.body,
      `**Verification** could not run: ${reason}. Comment \`/okstra verify\` to try again.`,
    ]
      .filter(Boolean)
      .join("\n\n");
    await context.status.finish(context.run);
  }
}
