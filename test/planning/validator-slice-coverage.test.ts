import { describe, expect, it } from "@jest/globals";
import { validatePlan } from "../../src/engine/planning/validator/validate-plan.js";
import { stage, validPlan } from "./plan-fixture.js";

const cap = { stageStepCap: 6 };

describe("validatePlan — vertical slices and requirement coverage", () => {
  it("S10: rejects an empty sliceValue and empty acceptance", () => {
    const plan = validPlan((p) => {
      stage(p, 2).sliceValue = "  ";
      stage(p, 2).acceptance = [];
    });
    expect(validatePlan(plan, cap).violations).toEqual([
      {
        check: "S10",
        stage: 2,
        message: "sliceValue is empty",
        hint: "say what a user can do after this stage that they could not before",
      },
      {
        check: "S10",
        stage: 2,
        message: "acceptance is empty",
        hint: "list observable criteria that show the slice works",
      },
    ]);
  });

  it("S10: rejects step actions without a RED/GREEN/REFACTOR prefix", () => {
    const plan = validPlan((p) => {
      stage(p, 4).steps[0].action = "Add CLI tests";
      stage(p, 4).steps[2].action = "green: docs";
    });
    expect(validatePlan(plan, cap).violations).toEqual([
      {
        check: "S10",
        stage: 4,
        message: "steps 1, 3 do not start with RED:, GREEN: or REFACTOR:",
        hint: "start each action with RED: (failing test), GREEN: (make it pass) or REFACTOR:, or set tddExemption with the reason",
      },
    ]);
  });

  it("S10: accepts unprefixed steps when the stage states a tddExemption", () => {
    const plan = validPlan((p) => {
      stage(p, 4).steps[2].action = "Document --format csv in README.md";
      stage(p, 4).tddExemption = "documentation has no executable test";
    });
    expect(validatePlan(plan, cap).violations).toEqual([]);
  });

  it("S11: rejects an uncovered requirement", () => {
    const plan = validPlan((p) => {
      p.requirementCoverage = p.requirementCoverage.filter((row) => row.requirement !== "R-4");
    });
    expect(validatePlan(plan, cap).violations).toEqual([
      {
        check: "S11",
        message: "R-4 is covered by no stage",
        hint: "add a coverage row for R-4 naming the stage that delivers it, or add that stage",
      },
    ]);
  });

  it("S11: rejects coverage rows naming a missing stage or requirement", () => {
    const plan = validPlan((p) => {
      p.requirementCoverage.push({ requirement: "R-9", stages: [1] });
      p.requirementCoverage[2].stages = [8];
    });
    expect(validatePlan(plan, cap).violations).toEqual([
      {
        check: "S11",
        message: "the coverage of R-3 names stage 8, which does not exist",
        hint: "point R-3 at the stage that delivers it",
      },
      {
        check: "S11",
        message: "a coverage row names R-9, which is not a requirement",
        hint: "remove the row or add R-9 to requirements",
      },
      {
        check: "S11",
        message: "R-3 is covered by no stage",
        hint: "add a coverage row for R-3 naming the stage that delivers it, or add that stage",
      },
    ]);
  });
});
