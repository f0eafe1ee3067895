import { selectBatch, type TaskLedger } from "../../ledger/index.js";
import type { Plan } from "../../plan/plan-schema.js";
import { CommandRefusal } from "../refusal.js";

/**
 * The batch an implementation run owns (SPEC §6.1): `auto` takes ready stages
 * in ascending order while their steps fit the budget (always at least one);
 * `--stage N` takes exactly N, refused when it is done, claimed or waiting,
 * saying which.
 */
export function chooseBatch(
  task: TaskLedger,
  plan: Plan,
  requested: "auto" | number,
  stepBudget: number,
  exclude: ReadonlySet<number> = new Set(),
): number[] {
  const states = new Map(task.state.stages.map((s) => [s.stage, s]));
  if (requested !== "auto") {
    const stage = plan.stages.find((s) => s.number === requested);
    if (!stage)
      throw new CommandRefusal(
        `stage ${requested} is not in plan v${task.meta.planVersion}, which has stages 1–${plan.stages.length}.`,
        "`/okstra implement --stage N` with one of them, or `/okstra implement`.",
      );
    const state = states.get(requested);
    if (state?.done)
      throw new CommandRefusal(
        `stage ${requested} is already done (run ${state.done.run}, head \`${state.done.headCommit.slice(0, 12)}\`).`,
        "`/okstra status` shows what is left.",
      );
    if (state?.claim)
      throw new CommandRefusal(
        `stage ${requested} is claimed by run ${state.claim.run} until ${state.claim.leaseUntil}.`,
        "Wait for that run, or `/okstra cancel` it.",
      );
    const waiting = stage.dependsOn.filter((dep) => !states.get(dep)?.done);
    if (waiting.length > 0)
      throw new CommandRefusal(
        `stage ${requested} is waiting on stage${waiting.length > 1 ? "s" : ""} ${waiting.join(", ")}, not done yet.`,
        `\`/okstra implement --stage ${waiting[0]}\`, or \`/okstra implement\` for everything ready.`,
      );
    return [requested];
  }
  const ready = task.state.ready.filter((stage) => !exclude.has(stage));
  if (ready.length === 0) {
    const open = task.state.stages.filter((s) => !s.done);
    if (open.length === 0)
      throw new CommandRefusal("every stage of the plan is done.", "`/okstra verify` or `/okstra ship STAGES`.");
    const claimed = open.filter((s) => s.claim).map((s) => `stage ${s.stage} (run ${s.claim!.run})`);
    if (claimed.length > 0)
      throw new CommandRefusal(
        `no stage is ready: ${claimed.join(", ")} ${claimed.length > 1 ? "are" : "is"} being implemented.`,
        "`/okstra status` shows the runs in progress.",
      );
    throw new CommandRefusal(
      "no stage is ready: the remaining stages wait on stages that failed.",
      "`/okstra retry` the failed stages, or `/okstra status`.",
    );
  }
  return selectBatch(plan.stages, ready, stepBudget);
}

/**
 * `/okstra retry [--stage N]`: the stages whose last attempt failed, was
 * abandoned or cancelled and that are ready again — one named stage, or all
 * of them within the step budget.
 */
export function chooseRetryBatch(
  task: TaskLedger,
  plan: Plan,
  requested: "auto" | number,
  stepBudget: number,
): number[] {
  const retryable = new Set(
    task.state.stages
      .filter((s) => !s.done && !s.claim && s.lastEnd && s.lastEnd.status !== "done")
      .map((s) => s.stage),
  );
  if (requested !== "auto") {
    if (!retryable.has(requested)) {
      const state = task.state.stages.find((s) => s.stage === requested);
      const why = state?.done
        ? "is done"
        : state?.claim
          ? `is running in ${state.claim.run}`
          : "has not been attempted yet";
      throw new CommandRefusal(
        `stage ${requested} ${why}; \`/okstra retry\` is for stages that failed, were abandoned or cancelled.`,
        state?.done || state?.claim
          ? "`/okstra status` shows every stage's state."
          : `\`/okstra implement --stage ${requested}\`.`,
      );
    }
    return chooseBatch(task, plan, requested, stepBudget);
  }
  const ready = task.state.ready.filter((stage) => retryable.has(stage));
  if (ready.length === 0)
    throw new CommandRefusal(
      "no failed, abandoned or cancelled stage is ready to retry.",
      "`/okstra status` shows every stage's state; `/okstra implement` runs the stages not attempted yet.",
    );
  return selectBatch(plan.stages, ready, stepBudget);
}
