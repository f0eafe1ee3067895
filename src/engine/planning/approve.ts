import { approvePlanMutation, isPlanApproved, PlanChangedError } from "../../ledger/index.js";
import { planDigest } from "../../plan/plan-digest.js";
import type { CommandContext } from "../context.js";
import { CommandRefusal } from "../refusal.js";
import { planSchema, type Plan } from "../../plan/plan-schema.js";

/**
 * `/okstra approve` (SPEC §2): binds the approval to the plan's digest and
 * fixes the implementation base commit, in one ledger commit. Refused while
 * the gate is `blocked-by-disagreement` or a clarification blocks approval,
 * and re-checked inside the mutation so a plan replaced meanwhile is never
 * approved by accident.
 */
export async function approveCommand(context: CommandContext): Promise<void> {
  const { job, services } = context;
  const { ledger, platform } = services;
  const now = services.now;
  const issue = job.issueNumber;

  const task = await ledger.readTask(issue);
  if (!task?.plan)
    throw new CommandRefusal(`#${issue} has no plan to approve yet.`, "Comment `/okstra plan` to plan it.");
  const plan = parsePlan(task.plan);
  const version = task.meta.planVersion;
  refuseUnapprovable(plan, version);
  const digest = planDigest(task.plan);
  if (isPlanApproved(task.rows, task.plan)) {
    return finish(
      context,
      `Plan v${version} is already approved (digest \`${digest.slice(0, 12)}\`). Nothing changed.`,
      now(),
    );
  }

  const baseCommit = await platform.getBranchHead(task.meta.baseBranch);
  if (!baseCommit)
    throw new CommandRefusal(
      `the base branch \`${task.meta.baseBranch}\` no longer exists.`,
      "Restore it, or `/okstra replan` on another base.",
    );

  const approval = { digest, version, actor: job.comment.author, baseCommit, now: now() };
  await ledger.mutate(approvePlanMutation(issue, approval)).catch((error: unknown) => {
    if (!(error instanceof PlanChangedError)) throw error;
    throw new CommandRefusal(
      "the plan changed while it was being approved.",
      "Read the new plan, then comment `/okstra approve` again.",
    );
  });

  await finish(
    context,
    [
      `Plan v${version} approved by @${job.comment.author}.`,
      "",
      `- digest \`${digest}\` — a plan changed after this approval is no longer approved`,
      `- implementation base: \`${task.meta.baseBranch}\` at \`${baseCommit.slice(0, 12)}\``,
      "",
      "Next: `/okstra implement`.",
    ].join("\n"),
    now(),
  );
}

function parsePlan(raw: unknown): Plan {
  const parsed = planSchema.safeParse(raw);
  if (!parsed.success)
    throw new CommandRefusal(
      "the stored plan.json does not match the plan schema, so it cannot be approved.",
      "Comment `/okstra replan` to plan again.",
    );
  return parsed.data;
}

function refuseUnapprovable(plan: Plan, version: number): void {
  if (plan.provenance.gate === "blocked-by-disagreement" || plan.provenance.gate === "aborted-non-result") {
    const blocking = plan.clarifications.filter((c) => c.blocks === "approval").map((c) => `${c.id} (${c.statement})`);
    const reason =
      plan.provenance.gate === "aborted-non-result"
        ? "too few reviewers answered its plan-body verification"
        : `its plan-body verification is blocked by disagreement${blocking.length ? ` on ${blocking.join("; ")}` : ""}`;
    throw new CommandRefusal(
      `plan v${version} cannot be approved: ${reason}.`,
      "Answer in a comment, then `/okstra replan`.",
    );
  }
  const open = plan.clarifications.filter((c) => c.blocks === "approval");
  if (open.length > 0) {
    throw new CommandRefusal(
      `plan v${version} has clarification${open.length > 1 ? "s" : ""} that block approval: ${open.map((c) => `${c.id} — ${c.statement}`).join("; ")}.`,
      `Answer ${open.map((c) => c.id).join(", ")} in a comment (recommended: ${open[0].recommendedAnswer}), then \`/okstra replan\`.`,
    );
  }
}

async function finish(context: CommandContext, body: string, now: Date): Promise<void> {
  context.run.body = body;
  context.run.outcome = "succeeded";
  context.run.finishedAt = now.toISOString();
  await context.status.finish(context.run);
}
