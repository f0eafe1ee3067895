import { describe, expect, it } from "@jest/globals";
import { globsOverlap } from "../../src/engine/planning/validator/glob-overlap.js";
import { validatePlan } from "../../src/engine/planning/validator/validate-plan.js";
import { stage, validPlan } from "./plan-fixture.js";

const cap = { stageStepCap: 6 };

describe("globsOverlap", () => {
  it.each([
    ["src/api/**", "src/api/orders.ts"],
    ["src/api/**", "src/api/v1/orders/index.ts"],
    ["src/*.ts", "src/a.ts"],
    ["src/**/*.test.ts", "src/x/y/a.test.ts"],
    ["src/*.ts", "src/a*"],
    ["src/**", "**/*.md"],
    ["src/{api,web}/index.ts", "src/web/*.ts"],
    ["src/api/", "src/api/orders.ts"],
    ["./src//a.ts", "src/a.ts"],
    ["src/file[0-9].ts", "src/file7.ts"],
  ])("%s overlaps %s", (a, b) => {
    expect(globsOverlap(a, b)).toBe(true);
    expect(globsOverlap(b, a)).toBe(true);
  });

  it.each([
    ["src/api/**", "src/web/orders.ts"],
    ["src/*.ts", "src/x/a.ts"],
    ["src/*.ts", "src/a.js"],
    ["src/*.test.ts", "src/*.spec.ts"],
    ["src/a.ts", "src/b.ts"],
    ["src/{api,web}/index.ts", "src/cli/index.ts"],
    ["test/**/*.test.ts", "src/**"],
  ])("%s does not overlap %s", (a, b) => {
    expect(globsOverlap(a, b)).toBe(false);
    expect(globsOverlap(b, a)).toBe(false);
  });
});

describe("validatePlan — parallel safety (S9) and cohesion (S12)", () => {
  it("S9: rejects two independent stages that predict the same file", () => {
    const plan = validPlan((p) => {
      stage(p, 2).exitContract.files.push("src/csv/escape-field.js");
    });
    expect(validatePlan(plan, cap).violations).toEqual([
      {
        check: "S9",
        stage: 1,
        message: "stages 1 and 2 can run in parallel but both touch src/csv/escape-field.js",
        hint: "put the shared work in one stage, or add 1 to stage 2's dependsOn if it needs stage 1's result",
      },
    ]);
  });

  it("S9: sees a glob in one stage cover a step file of another and names both paths", () => {
    const plan = validPlan((p) => {
      stage(p, 1).exitContract.files = ["src/api/**", "test/csv/escape-field.test.js"];
      stage(p, 1).steps[1].files = ["src/api/escape.js"];
      stage(p, 2).steps[1].files = ["src/api/orders.ts"];
    });
    const s9 = validatePlan(plan, cap).violations.filter((v) => v.check === "S9");
    expect(s9).toEqual([
      expect.objectContaining({
        stage: 1,
        message: "stages 1 and 2 can run in parallel but both touch src/api/** ↔ src/api/orders.ts",
      }),
    ]);
  });

  it("S9: accepts globs that cannot meet, and overlap between stages ordered by dependsOn", () => {
    const plan = validPlan((p) => {
      stage(p, 1).exitContract.files.push("src/csv/*.js");
      stage(p, 2).exitContract.files.push("src/*.js");
      stage(p, 3).exitContract.files.push("src/**");
    });
    expect(validatePlan(plan, cap).violations).toEqual([]);
  });

  it("S12: warns, without invalidating the plan, when two small independent stages share a directory", () => {
    const plan = validPlan((p) => {
      for (const step of stage(p, 2).steps) step.files = step.files.map((f) => f.replace(/^test\//, "test/csv/"));
      stage(p, 2).exitContract.files = ["src/columns.js", "src/render-table.js", "test/csv/columns.test.js"];
    });
    const result = validatePlan(plan, cap);
    expect(result.valid).toBe(true);
    expect(result.warnings).toEqual([
      {
        check: "S12",
        stage: 1,
        message: "stages 1 and 2 are independent, both work in test/csv/ and together have 6 steps (cap 6)",
        hint: "consider merging them into one stage: work in one directory reviews and rolls back as one unit",
      },
    ]);
  });

  it("S12: stays quiet when the two stages together would exceed the cap", () => {
    const plan = validPlan((p) => {
      stage(p, 2).exitContract.files.push("test/csv/columns.test.js");
    });
    expect(validatePlan(plan, { stageStepCap: 5 }).warnings).toEqual([]);
  });
});
