import { describe, expect, it } from "@jest/globals";
import { analyserResultSchema, leadResultSchema, planSchema } from "../../src/plan/plan-schema.js";
import { validPlan } from "./plan-fixture.js";

describe("planSchema", () => {
  it("parses the 4-stage fixture and fills provenance defaults for a draft without one", () => {
    const plan = validPlan();
    expect(plan.stages.map((s) => s.number)).toEqual([1, 2, 3, 4]);
    const { provenance: _omitted, ...draft } = plan;
    const parsed = analyserResultSchema.parse({ plan: draft });
    expect(parsed.plan.provenance).toEqual({ analysers: [], gate: "not-run", dissent: [] });
  });

  it("leaves semantic rules to the validator: 9 steps and a cycle still parse", () => {
    const plan = validPlan((p) => {
      p.stages[0].steps = Array.from({ length: 9 }, (_, i) => ({
        n: i + 1,
        action: "RED: x",
        files: ["a.js"],
        expected: "x",
      }));
      p.stages[0].dependsOn = [2];
      p.stages[1].dependsOn = [1];
      p.stages[1].validation.post = [];
    });
    expect(leadResultSchema.safeParse({ plan }).success).toBe(true);
  });

  it("rejects a plan with one option and a bad clarification, by path", () => {
    const plan = validPlan((p) => {
      p.options = [p.options[0]];
      p.clarifications[0].blocks = "merge" as never;
    });
    const result = planSchema.safeParse(plan);
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(result.error.issues.map((i) => i.path.join(".")).sort()).toEqual(["clarifications.0.blocks", "options"]);
  });

  it("rejects a recommendation that names no option", () => {
    const result = planSchema.safeParse(validPlan((p) => void (p.recommendedOption = "C")));
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(result.error.issues).toEqual([
      expect.objectContaining({ path: ["recommendedOption"], message: "names no option (options are A, B)" }),
    ]);
  });
});
