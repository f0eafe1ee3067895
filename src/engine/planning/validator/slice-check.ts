import type { Plan } from "../../../plan/plan-schema.js";
import type { Violation } from "./violation.js";

const TDD_PREFIX = /^\s*(RED|GREEN|REFACTOR):/;

/**
 * S10: every stage is a vertical slice — it says what a user gains and how to
 * see it — and is built test-first, visible in its step prefixes, unless the
 * stage states why it cannot be (`tddExemption`).
 */
export function checkVerticalSlice(plan: Plan): Violation[] {
  const out: Violation[] = [];
  for (const stage of plan.stages) {
    if (stage.sliceValue.trim() === "") {
      out.push({
        check: "S10",
        stage: stage.number,
        message: "sliceValue is empty",
        hint: "say what a user can do after this stage that they could not before",
      });
    }
    if (!stage.acceptance.some((a) => a.trim() !== "")) {
      out.push({
        check: "S10",
        stage: stage.number,
        message: "acceptance is empty",
        hint: "list observable criteria that show the slice works",
      });
    }
    if (stage.tddExemption) continue;
    const unprefixed = stage.steps.filter((s) => !TDD_PREFIX.test(s.action)).map((s) => s.n);
    if (unprefixed.length > 0) {
      out.push({
        check: "S10",
        stage: stage.number,
        message: `step${unprefixed.length > 1 ? "s" : ""} ${unprefixed.join(", ")} ${unprefixed.length > 1 ? "do" : "does"} not start with RED:, GREEN: or REFACTOR:`,
        hint: "start each action with RED: (failing test), GREEN: (make it pass) or REFACTOR:, or set tddExemption with the reason",
      });
    }
  }
  return out;
}
