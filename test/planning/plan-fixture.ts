import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { planSchema, type Plan, type PlanStage } from "../../src/plan/plan-schema.js";

export const VALID_PLAN_PATH = fileURLToPath(new URL("../../fixtures/plans/valid-4-stage.json", import.meta.url));

/** A fresh, parsed copy of the valid 4-stage fixture, optionally changed: each test builds its own invalid variant. */
export function validPlan(change?: (plan: Plan) => void): Plan {
  const plan = planSchema.parse(JSON.parse(readFileSync(VALID_PLAN_PATH, "utf8")));
  change?.(plan);
  return plan;
}

export function stage(plan: Plan, number: number): PlanStage {
  const found = plan.stages.find((s) => s.number === number);
  if (!found) throw new Error(`fixture has no stage ${number}`);
  return found;
}

/** A minimal, valid stage for building larger plans in tests. */
export function makeStage(number: number, overrides: Partial<PlanStage> = {}): PlanStage {
  return {
    number,
    title: `Stage ${number}`,
    sliceValue: `value ${number}`,
    acceptance: [`criterion ${number}`],
    dependsOn: [],
    steps: [
      { n: 1, action: "RED: a failing test", files: [`test/s${number}.test.js`], expected: "fails" },
      { n: 2, action: "GREEN: make it pass", files: [`src/s${number}.js`], expected: "passes" },
    ],
    exitContract: { files: [`src/s${number}.js`, `test/s${number}.test.js`], identifiers: [], resources: [] },
    validation: { pre: [], mid: [], post: ["node --test"] },
    rollback: "revert the commit",
    ...overrides,
  };
}
