import { codeSpan } from "../../render/model-text.js";
import type { CommandContext } from "../context.js";
import { reconcileStageHeads } from "../reconcile/reconcile-stage-heads.js";
import { CommandRefusal } from "../refusal.js";
import { verifyAfterStageMoves } from "../revise/verify-moved-stages.js";
import { requirePlan } from "../verification/select-stages.js";
import type { RestackOutcome } from "./restack-branches.js";
import { restackTask } from "./restack-task.js";

/**
 * `/okstra restack [--stage N]` (SPEC §15.3):
 * 1. record what happened to the stage branches since their `done` (user pushes);
 * 2. merge new dependency heads into every out-of-date stage (or stage N), fast-forward pushes only;
 * 3. record `done` (`restack`) rows and `needs-restack` rows, and say conflicts on their PRs;
 * 4. re-verify the restacked stages (`verification.autoVerify`).
 */
export async function restackCommand(context: CommandContext): Promise<void> {
  const { command, job, services, run } = context;
  if (command.verb !== "restack") throw new Error(`restackCommand cannot carry out ${command.verb}`);
  const issue = job.issueNumber;
  await reconcileStageHeads(services, issue, { log: context.log });
  const { task, plan } = requirePlan(await services.ledger.readTask(issue), issue);
  if (command.stage !== undefined && !task.state.stages.some((s) => s.stage === command.stage && s.done)) {
    throw new CommandRefusal(
      `stage ${command.stage} of #${issue} is not done, so it has no branch to restack.`,
      "`/okstra status` shows which stages are done.",
    );
  }

  const outcome = await restackTask(services, {
    issue,
    task,
    plan,
    only: command.stage,
    trigger: `restack-c${job.comment.id}`,
    log: context.log,
  });
  run.outcome = outcome.conflicts.length > 0 ? "failed" : "succeeded";
  run.body = describeRestack(outcome);
  run.finishedAt = services.now().toISOString();
  await context.status.finish(run);
  await verifyAfterStageMoves(
    context,
    outcome.restacked.map((r) => r.stage),
  );
}

export function describeRestack(outcome: RestackOutcome): string {
  if (outcome.restacked.length === 0 && outcome.conflicts.length === 0)
    return "Every stage branch already has its dependencies' heads: nothing to restack.";
  const lines = [
    ...outcome.restacked.map(
      (r) =>
        `- Stage ${r.stage}: merged ${r.merged.length > 0 ? `the new head of stage ${r.merged.join(", ")}` : `\`${r.branch}-base\``} into \`${r.branch}\` (\`${r.from.slice(0, 7)}\` → \`${r.to.slice(0, 7)}\`, a fast-forward).`,
    ),
    ...outcome.conflicts.map(
      (c) =>
        `- Stage ${c.stage}: ⚠️ **needs restack** — merging stage ${c.dependency} conflicts in ${c.paths.map(codeSpan).join(", ")}; nothing pushed.`,
    ),
  ];
  const next =
    outcome.conflicts.length > 0
      ? "\n\nNext: merge the dependency's head into each conflicting stage branch by hand and push; okstra records the merge and re-verifies."
      : "";
  return `**Restack**\n${lines.join("\n")}${next}`;
}
