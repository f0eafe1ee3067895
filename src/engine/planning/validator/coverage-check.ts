import type { Plan } from "../../../plan/plan-schema.js";
import type { Violation } from "./violation.js";

/**
 * S11: every requirement is delivered by at least one stage, and the coverage
 * table names only requirements and stages that exist — a dangling row would
 * claim coverage the plan does not have.
 */
export function checkCoverage(plan: Plan): Violation[] {
  const out: Violation[] = [];
  const requirements = new Set<string>();
  for (const r of plan.requirements) {
    if (requirements.has(r.id)) {
      out.push({
        check: "S11",
        message: `requirement ${r.id} is declared more than once`,
        hint: "give each requirement its own id R-1..R-n",
      });
    }
    requirements.add(r.id);
  }
  const stages = new Set(plan.stages.map((s) => s.number));
  const covered = new Set<string>();
  for (const row of plan.requirementCoverage) {
    if (!requirements.has(row.requirement)) {
      out.push({
        check: "S11",
        message: `a coverage row names ${row.requirement}, which is not a requirement`,
        hint: `remove the row or add ${row.requirement} to requirements`,
      });
    }
    for (const stage of row.stages) {
      if (stages.has(stage)) covered.add(row.requirement);
      else {
        out.push({
          check: "S11",
          message: `the coverage of ${row.requirement} names stage ${stage}, which does not exist`,
          hint: `point ${row.requirement} at the stage that delivers it`,
        });
      }
    }
  }
  for (const id of requirements) {
    if (!covered.has(id)) {
      out.push({
        check: "S11",
        message: `${id} is covered by no stage`,
        hint: `add a coverage row for ${id} naming the stage that delivers it, or add that stage`,
      });
    }
  }
  return out;
}
