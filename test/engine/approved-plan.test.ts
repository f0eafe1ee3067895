import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { Ledger } from "../../src/ledger/ledger.js";
import { createLocalLedgerStore } from "../../src/ledger/local-store.js";
import { approvedPlanProblem } from "../../src/engine/implementation/plan-recheck.js";
import type { ImplementationRun } from "../../src/engine/implementation/implementation-run.js";
import { PlanNotApprovedError, readApprovedTask } from "../../src/engine/approved-task.js";
import { planDigest } from "../../src/plan/plan-digest.js";
import { json, sha, T0, taskMeta, tempRepo, type TempRepo } from "../ledger/fixtures.js";
import { validPlan } from "../planning/plan-fixture.js";

/**
 * "Is there an approved plan?" — asked once before a phase starts
 * (`readApprovedTask`) and again right before a plan's commands run
 * (`approvedPlanProblem`, SPEC §14.5), each case with its answer.
 */

let repo: TempRepo;
let ledger: Ledger;
const ISSUE = 7;
const thePlan = validPlan();

beforeEach(async () => {
  repo = await tempRepo();
  ledger = new Ledger(createLocalLedgerStore(repo.dir), { now: () => T0, sleep: async () => undefined });
});
afterEach(async () => {
  await repo.cleanup();
});

let approvals = 0;
async function approve(planValue: unknown): Promise<void> {
  await ledger.appendRows(ISSUE, [
    { run: `plan-${++approvals}`, status: "approved", planDigest: planDigest(planValue), actor: "octocat" },
  ]);
}

async function approvedTask(): Promise<void> {
  await ledger.writeFiles(ISSUE, {
    "task.json": json(taskMeta(ISSUE, { implementationBaseCommit: sha("base") })),
    "plan.json": json(thePlan),
  });
  await approve(thePlan);
}

/** The run as approvedPlanProblem sees it: its issue, its (pinned) ledger, the plan it started on. */
function runOn(readFrom: Ledger, planValue: unknown): ImplementationRun {
  return {
    context: { job: { issueNumber: ISSUE }, services: { ledger: readFrom } },
    task: { plan: planValue },
  } as unknown as ImplementationRun;
}

describe("readApprovedTask", () => {
  it("returns the task, its parsed plan and the typed base commit", async () => {
    await approvedTask();
    const { task, plan, baseCommit } = await readApprovedTask(ledger, ISSUE);
    expect(task.issue).toBe(ISSUE);
    expect(plan.stages.map((s) => s.number)).toEqual(thePlan.stages.map((s) => s.number));
    expect(baseCommit).toBe(sha("base"));
  });

  it("refuses a task without a plan, finishing the sentence for the caller", async () => {
    await ledger.writeFiles(ISSUE, { "task.json": json(taskMeta(ISSUE)) });
    const refusal = readApprovedTask(ledger, ISSUE, {
      noPlan: ", so it has no stages to ship",
      next: " and `/okstra implement`",
    });
    await expect(refusal).rejects.toBeInstanceOf(PlanNotApprovedError);
    await expect(refusal).rejects.toMatchObject({
      problem: "#7 has no plan yet, so it has no stages to ship.",
      instead: "Comment `/okstra plan`, then `/okstra approve` and `/okstra implement`.",
    });
  });

  it("refuses a plan never approved, and one whose approval was for another plan", async () => {
    await ledger.writeFiles(ISSUE, {
      "task.json": json(taskMeta(ISSUE, { implementationBaseCommit: sha("base") })),
      "plan.json": json(thePlan),
    });
    await expect(readApprovedTask(ledger, ISSUE)).rejects.toMatchObject({ problem: "plan v1 of #7 is not approved." });
    await approve(validPlan((p) => (p.title = "another plan")));
    await expect(readApprovedTask(ledger, ISSUE)).rejects.toMatchObject({
      problem: "plan v1 of #7 is not approved.",
      instead: "Read the plan comment, then `/okstra approve`.",
    });
  });

  it("refuses an approval without the base commit implementation starts from", async () => {
    await ledger.writeFiles(ISSUE, { "task.json": json(taskMeta(ISSUE)), "plan.json": json(thePlan) });
    await approve(thePlan);
    const refused = readApprovedTask(ledger, ISSUE);
    await expect(refused).rejects.toBeInstanceOf(PlanNotApprovedError);
    await expect(refused).rejects.toMatchObject({ problem: "plan v1 of #7 is not approved." });
  });
});

describe("approvedPlanProblem, right before a plan's commands run", () => {
  it("is null while the plan the run started on is on the ledger and approved", async () => {
    await approvedTask();
    expect(await approvedPlanProblem(runOn(ledger, thePlan))).toBeNull();
  });

  it("sees a change another writer made after the run pinned its ledger: the plan changed", async () => {
    await approvedTask();
    const pinned = ledger.pinned();
    await pinned.readTask(ISSUE); // the run's one read
    const changed = validPlan((p) => (p.title = "changed under the run"));
    await ledger.writeFiles(ISSUE, { "plan.json": json(changed) });
    expect(await approvedPlanProblem(runOn(pinned, thePlan))).toMatch(
      /^the plan of #7 changed since this run started \(digest [0-9a-f]{12} → [0-9a-f]{12}\)$/,
    );
  });

  it("says so when the plan is gone, or no longer the approved one", async () => {
    await approvedTask();
    await approve(validPlan((p) => (p.title = "a later approval of another plan")));
    expect(await approvedPlanProblem(runOn(ledger, thePlan))).toMatch(
      /^the plan of #7 \(digest [0-9a-f]{12}\) is no longer the approved one$/,
    );
    await ledger.writeFiles(ISSUE, { "plan.json": null });
    expect(await approvedPlanProblem(runOn(ledger, thePlan))).toBe("the plan of #7 is no longer on the ledger");
  });
});
