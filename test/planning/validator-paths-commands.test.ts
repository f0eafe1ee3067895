import { describe, expect, it } from "@jest/globals";
import { validatePlan } from "../../src/engine/planning/validator/validate-plan.js";
import { stage, validPlan } from "./plan-fixture.js";

const cap = { stageStepCap: 6 };

describe("validatePlan — predicted paths and validation commands", () => {
  it("S5: rejects an empty exit contract", () => {
    const plan = validPlan((p) => {
      stage(p, 2).exitContract.files = [];
    });
    expect(validatePlan(plan, cap).violations).toEqual([
      {
        check: "S5",
        stage: 2,
        message: "exitContract.files is empty",
        hint: "list the files this stage adds or changes (globs allowed, e.g. src/api/**)",
      },
    ]);
  });

  it.each([
    ["/etc/passwd", "is absolute", "write it relative to the repository root, e.g. src/index.ts"],
    ["C:\\repo\\src\\a.js", "is absolute", "write it relative to the repository root, e.g. src/index.ts"],
    [
      "src/../../secrets.txt",
      "leaves the repository (`..`)",
      "write it relative to the repository root, e.g. src/index.ts",
    ],
    [
      ".okstra/state.json",
      "is inside .okstra/, okstra's own state",
      "name the repository files the stage changes; okstra writes .okstra/ itself",
    ],
  ])("S5: rejects the exit-contract path %s", (path, what, hint) => {
    const plan = validPlan((p) => {
      stage(p, 4).exitContract.files.push(path);
    });
    expect(validatePlan(plan, cap).violations).toEqual([
      { check: "S5", stage: 4, message: `exitContract.files[3] "${path}" ${what}`, hint },
    ]);
  });

  it("S5: checks the files of steps too", () => {
    const plan = validPlan((p) => {
      stage(p, 1).steps[1].files = ["../other-repo/index.js"];
    });
    expect(validatePlan(plan, cap).violations).toEqual([
      expect.objectContaining({
        check: "S5",
        stage: 1,
        message: 'step 2 file "../other-repo/index.js" leaves the repository (`..`)',
      }),
    ]);
  });

  it("S6: rejects an empty validation.post", () => {
    const plan = validPlan((p) => {
      stage(p, 3).validation.post = [];
    });
    expect(validatePlan(plan, cap).violations).toEqual([
      {
        check: "S6",
        stage: 3,
        message: "validation.post is empty",
        hint: "add a read-only command that proves the stage works, e.g. `node --test`",
      },
    ]);
  });

  it("S6: rejects a mutating command in pre, mid or post and names the token", () => {
    const plan = validPlan((p) => {
      stage(p, 1).validation.pre = ["npx eslint . --fix"];
      stage(p, 2).validation.mid = ["npm install && node --test"];
      stage(p, 4).validation.post.push("jest -u");
    });
    expect(validatePlan(plan, cap).violations).toEqual([
      {
        check: "S6",
        stage: 1,
        message: "validation.pre[0] `npx eslint . --fix` contains the mutating token `--fix`",
        hint: "use the read-only form of the command (without `--fix`); validation must not change the repository",
      },
      expect.objectContaining({
        check: "S6",
        stage: 2,
        message: "validation.mid[0] `npm install && node --test` contains the mutating token `npm install`",
      }),
      expect.objectContaining({
        check: "S6",
        stage: 4,
        message: "validation.post[2] `jest -u` contains the mutating token `-u`",
      }),
    ]);
  });

  it("S6: leaves step commands alone, since installing a dependency is implementation work", () => {
    const plan = validPlan((p) => {
      stage(p, 3).steps[1].command = "npm install csv-stringify";
    });
    expect(validatePlan(plan, cap).valid).toBe(true);
  });
});
