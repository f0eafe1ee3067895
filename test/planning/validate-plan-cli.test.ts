import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runValidatePlan } from "../../src/cli/validate-plan.js";
import { stage, VALID_PLAN_PATH, validPlan } from "./plan-fixture.js";

function captureIo() {
  const out = { stdout: "", stderr: "" };
  return { out, io: { stdout: (s: string) => void (out.stdout += s), stderr: (s: string) => void (out.stderr += s) } };
}

describe("okstra validate-plan FILE", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "okstra-validate-plan-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("exits 0 on the valid fixture and says so", async () => {
    const { out, io } = captureIo();
    expect(await runValidatePlan(VALID_PLAN_PATH, io)).toBe(0);
    expect(out.stdout).toBe(`${VALID_PLAN_PATH}: valid plan, 4 stages, 0 warnings\n`);
    expect(out.stderr).toBe("");
  });

  it("exits 0 but prints warnings when only the cohesion hint fires", async () => {
    const file = join(dir, "warn.json");
    const plan = validPlan((p) => {
      stage(p, 2).exitContract.files.push("test/csv/columns.test.js");
    });
    await writeFile(file, JSON.stringify(plan));
    const { out, io } = captureIo();
    expect(await runValidatePlan(file, io)).toBe(0);
    expect(out.stdout).toContain("warning S12 stage 1: stages 1 and 2 are independent");
    expect(out.stdout).toContain(`${file}: valid plan, 4 stages, 1 warning\n`);
  });

  it("exits 1 and lists each violation on its own line with its hint", async () => {
    const file = join(dir, "cycle.json");
    const plan = validPlan((p) => {
      stage(p, 2).dependsOn = [3];
      stage(p, 4).validation.post = [];
    });
    await writeFile(file, JSON.stringify(plan));
    const { out, io } = captureIo();
    expect(await runValidatePlan(file, io)).toBe(1);
    expect(out.stdout.split("\n")).toEqual([
      "S4 stage 2: dependsOn forms a cycle 2 → 3 → 2 — hint: remove the dependsOn link that does not carry real data from one stage to the next",
      "S6 stage 4: validation.post is empty — hint: add a read-only command that proves the stage works, e.g. `node --test`",
      `${file}: 2 violations, 0 warnings`,
      "",
    ]);
  });

  it("applies a stricter step cap when given one", async () => {
    const { out, io } = captureIo();
    expect(await runValidatePlan(VALID_PLAN_PATH, io, { stageStepCap: 3 })).toBe(1);
    expect(out.stdout).toContain("S2 stage 3: the stage has 4 steps; the cap is 3");
  });

  it("exits 2 when the file is missing", async () => {
    const { out, io } = captureIo();
    expect(await runValidatePlan(join(dir, "nope.json"), io)).toBe(2);
    expect(out.stderr).toMatch(/cannot read .*nope\.json: ENOENT/);
  });

  it("exits 2 when the file is not JSON", async () => {
    const file = join(dir, "plan.md");
    await writeFile(file, "# Plan\n");
    const { out, io } = captureIo();
    expect(await runValidatePlan(file, io)).toBe(2);
    expect(out.stderr).toContain(`${file} is not JSON`);
  });

  it("exits 2 and names the failing paths when the JSON is not a plan", async () => {
    const file = join(dir, "not-a-plan.json");
    const plan = validPlan() as unknown as Record<string, unknown>;
    delete plan.title;
    (plan.stages as Array<Record<string, unknown>>)[1].steps = "three";
    await writeFile(file, JSON.stringify(plan));
    const { out, io } = captureIo();
    expect(await runValidatePlan(file, io)).toBe(2);
    expect(out.stderr).toContain(`${file} is not a plan:\n`);
    expect(out.stderr).toContain("  title: ");
    expect(out.stderr).toContain("  stages.1.steps: ");
    expect(out.stdout).toBe("");
  });
});
