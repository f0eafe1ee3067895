import type { CommandContext } from "../context.js";
import { runVerification } from "../verification/run-verification.js";
import { commentTrigger, fromCommandContext } from "../verification/verification-context.js";
import { requirePlan, verificationSubjects } from "../verification/select-stages.js";
import { redactSecrets } from "../../util/redact.js";

/**
 * Stages whose head a revise or a restack moved have a stale verdict (SPEC
 * §15.2, §15.3): with `verification.autoVerify` they are verified again in
 * one run, reported on the command's status comment after its own outcome.
 */
export async function verifyAfterStageMoves(context: CommandContext, stages: readonly number[]): Promise<void> {
  if (stages.length === 0 || !context.config.verification.autoVerify) return;
  const { job, services } = context;
  const outcome = { outcome: context.run.outcome, finishedAt: context.run.finishedAt };
  try {
    const { task, plan } = requirePlan(await services.ledger.readTask(job.issueNumber), job.issueNumber);
    await runVerification(fromCommandContext(context), {
      task,
      plan,
      subjects: verificationSubjects(
        task,
        plan,
        [...new Set(stages)].sort((a, b) => a - b),
      ),
      trigger: {
        kind: "comment",
        ...commentTrigger(context),
      },
      embedded: true,
    });
  } catch (error) {
    context.log.error({ err: error }, "re-verification after the stage moves could not run");
    Object.assign(context.run, outcome);
    const reason = redactSecrets(error instanceof Error ? error.message : String(error));
    context.run.body = [
      context.run.body,
      `**Verification** could not run: ${reason}. Comment \`/okstra verify\` to try again.`,
    ]
      .filter(Boolean)
      .join("\n\n");
    await context.status.finish(context.run);
  }
}
