import { describe, expect, it } from "@jest/globals";
import { MAX_STAGES, validatePlan } from "../../src/engine/planning/validator/validate-plan.js";
import { makeStage, stage, validPlan } from "./plan-fixture.js";

const cap = { stageStepCap: 6 };

describe("validatePlan — numbering, steps and the DAG", () => {
  it("accepts the valid 4-stage fixture with no violations and no warnings", () => {
    expect(validatePlan(validPlan(), cap)).toEqual({ valid: true, violations: [], warnings: [] });
  });

  it("S1: rejects a gap in the stage numbers", () => {
    const plan = validPlan((p) => {
      stage(p, 4).number = 7;
    });
    const result = validatePlan(plan, cap);
    expect(result.valid).toBe(false);
    expect(result.violations).toContainEqual({
      check: "S1",
      stage: 7,
      message: "stage number 7 is outside 1..4",
      hint: "renumber the stages 1..4 in order, with no gaps or repeats",
    });
  });

  it("S1: rejects a repeated stage number", () => {
    const plan = validPlan((p) => {
      stage(p, 2).number = 1;
    });
    expect(validatePlan(plan, cap).violations).toContainEqual(
      expect.objectContaining({ check: "S1", stage: 1, message: "stage number 1 is used more than once" }),
    );
  });

  it(`S1: rejects more than ${MAX_STAGES} stages and names the limit`, () => {
    const plan = validPlan((p) => {
      p.stages = Array.from({ length: 40 }, (_, i) => makeStage(i + 1, { dependsOn: i === 0 ? [] : [i] }));
      p.requirementCoverage = p.requirements.map((r) => ({ requirement: r.id, stages: [1] }));
    });
    const result = validatePlan(plan, cap);
    expect(result.violations).toEqual([
      {
        check: "S1",
        message: "the plan has 40 stages; the limit is 20, the most a maintainer can review as one plan",
        hint: "merge stages that touch the same files, or split the issue into separate issues and plan each",
      },
    ]);
  });

  it("S2: rejects a stage over the step cap", () => {
    const plan = validPlan((p) => {
      const s = stage(p, 3);
      s.steps = Array.from({ length: 9 }, (_, i) => ({
        n: i + 1,
        action: "GREEN: step",
        files: ["src/csv/to-csv.js"],
        expected: "ok",
      }));
    });
    expect(validatePlan(plan, cap).violations).toEqual([
      {
        check: "S2",
        stage: 3,
        message: "the stage has 9 steps; the cap is 6",
        hint: "split it into two stages along a real data dependency, or merge steps that edit the same file",
      },
    ]);
  });

  it("S2: honours the repository's stageStepCap and rejects an empty stage", () => {
    const plan = validPlan((p) => {
      stage(p, 1).steps = [];
    });
    const violations = validatePlan(plan, { stageStepCap: 3 }).violations.filter((v) => v.check === "S2");
    expect(violations).toEqual([
      expect.objectContaining({ stage: 1, message: "the stage has no steps" }),
      expect.objectContaining({ stage: 3, message: "the stage has 4 steps; the cap is 3" }),
    ]);
  });

  it("S2: rejects steps that are not numbered 1..k", () => {
    const plan = validPlan((p) => {
      stage(p, 4).steps[2].n = 5;
    });
    expect(validatePlan(plan, cap).violations).toEqual([
      {
        check: "S2",
        stage: 4,
        message: "steps are numbered 1, 2, 5; expected 1..3 in order",
        hint: "number the steps 1..3 in the order they run",
      },
    ]);
  });

  it("S3: rejects a dependency on a missing stage and on itself", () => {
    const plan = validPlan((p) => {
      stage(p, 3).dependsOn = [1, 2, 9];
      stage(p, 4).dependsOn = [3, 4];
    });
    expect(validatePlan(plan, cap).violations).toEqual([
      {
        check: "S3",
        stage: 3,
        message: "depends on stage 9, which does not exist",
        hint: "remove 9 from dependsOn or add the stage it meant",
      },
      { check: "S3", stage: 4, message: "the stage depends on itself", hint: "remove 4 from its dependsOn" },
    ]);
  });

  it("S4: reports the actual cycle, in dependency order", () => {
    const plan = validPlan((p) => {
      stage(p, 2).dependsOn = [3];
    });
    expect(validatePlan(plan, cap).violations).toEqual([
      {
        check: "S4",
        stage: 2,
        message: "dependsOn forms a cycle 2 → 3 → 2",
        hint: "remove the dependsOn link that does not carry real data from one stage to the next",
      },
    ]);
  });

  it("S4: reports a longer cycle through the stages that form it only", () => {
    const plan = validPlan((p) => {
      stage(p, 1).dependsOn = [4];
    });
    const s4 = validatePlan(plan, cap).violations.filter((v) => v.check === "S4");
    expect(s4.map((v) => v.message)).toEqual(["dependsOn forms a cycle 1 → 4 → 3 → 1"]);
  });
});
