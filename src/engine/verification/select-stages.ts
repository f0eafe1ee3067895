import type { StageState, TaskLedger } from "../../ledger/index.js";
import type { Plan } from "../../plan/plan-schema.js";
import { taskPlan } from "../approved-task.js";
import { CommandRefusal } from "../refusal.js";
import { ownChecks } from "./own-checks.js";
import type { VerificationSubject } from "./review-context.js";

/**
 * Which stages a verification run takes, and what it needs of each:
 * - `/okstra verify` — every done stage whose verdict is missing or was given
 *   at another head (stale);
 * - `/okstra verify --stage N` and a re-requested check run — stage N, which
 *   must be done (refused with the reason otherwise), even with a current verdict.
 */

export function requirePlan(task: TaskLedger | null, issue: number): { task: TaskLedger; plan: Plan } {
  const plan = task && taskPlan(task);
  if (!task || !plan)
    throw new CommandRefusal(
      `#${issue} has no plan yet, so no stage is done to verify.`,
      "Comment `/okstra plan`, `/okstra approve`, then `/okstra implement`.",
    );
  return { task, plan };
}

/** The stages `/okstra verify` without `--stage` verifies, ascending; refused when there are none. */
export function unverifiedStages(task: TaskLedger, plan: Plan): number[] {
  const done = task.state.stages.filter((s) => s.done && plan.stages.some((p) => p.number === s.stage));
  if (done.length === 0)
    throw new CommandRefusal(
      `no stage of #${task.issue} is done yet, so there is nothing to verify.`,
      "Comment `/okstra implement` first.",
    );
  const pending = done.filter((s) => !s.verdict || !s.verdictCurrent).map((s) => s.stage);
  if (pending.length === 0) {
    throw new CommandRefusal(
      `every done stage of #${task.issue} (${done.map((s) => s.stage).join(", ")}) already has a verdict at its current head.`,
      "To verify one again: `/okstra verify --stage N`.",
    );
  }
  return pending.sort((a, b) => a - b);
}

/** Stage N for `--stage N` or a re-requested check run: done, or refused saying why not. */
export function requireDoneStage(task: TaskLedger, plan: Plan, stage: number): number[] {
  const planned = plan.stages.find((s) => s.number === stage);
  if (!planned)
    throw new CommandRefusal(
      `stage ${stage} is not in plan v${task.meta.planVersion} of #${task.issue} (stages ${plan.stages.map((s) => s.number).join(", ")}).`,
      "`/okstra status` lists the stages.",
    );
  const state = task.state.stages.find((s) => s.stage === stage);
  if (!state?.done)
    throw new CommandRefusal(
      `stage ${stage} is not done: ${notDoneReason(state, planned.dependsOn, task)}. Only a done stage can be verified.`,
      `\`/okstra implement --stage ${stage}\` once it is ready, then verify it.`,
    );
  return [stage];
}

function notDoneReason(state: StageState | undefined, dependsOn: number[], task: TaskLedger): string {
  if (state?.claim) return `run ${state.claim.run} is implementing it`;
  if (state?.lastEnd?.status === "failed")
    return `its last attempt failed (run ${state.lastEnd.run}: ${state.lastEnd.reason})`;
  const waiting = dependsOn.filter((dep) => !task.state.stages.find((s) => s.stage === dep)?.done);
  if (waiting.length > 0) return `it waits on stage${waiting.length === 1 ? "" : "s"} ${waiting.join(", ")}`;
  return "it has not been implemented yet";
}

/** Each stage's effective done, its carry and okstra's own checks; a done stage without its carry cannot be verified. */
export function verificationSubjects(task: TaskLedger, plan: Plan, stages: readonly number[]): VerificationSubject[] {
  return stages.map((number) => {
    const stage = plan.stages.find((s) => s.number === number)!;
    const done = task.state.stages.find((s) => s.stage === number)?.done;
    const carry = task.carries.find((c) => c.carry.stage === number)?.carry;
    if (!done || !carry)
      throw new CommandRefusal(
        `stage ${number} has ${done ? "no carry sidecar" : "no done row"} on the ledger, so okstra has no evidence to verify it against.`,
        "`/okstra status` shows the stage's state.",
      );
    return { stage, done, carry, checks: ownChecks({ stage, carry, done, rows: task.state.effectiveRows }) };
  });
}
