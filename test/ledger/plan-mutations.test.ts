import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { PlanChangedError } from "../../src/ledger/errors.js";
import { Ledger } from "../../src/ledger/ledger.js";
import { approvePlanMutation, persistPlanMutation } from "../../src/ledger/plan-mutations.js";
import { planDigest } from "../../src/plan/plan-digest.js";
import type { Plan } from "../../src/plan/plan-schema.js";
import { createLocalLedgerStore } from "../../src/ledger/local-store.js";
import { git } from "../../src/util/git.js";
import { json, minutes, plan, refSha, sha, showFile, T0, taskMeta, tempRepo, type TempRepo } from "./fixtures.js";

/** The plan's writes on a real local ledger: what a new version and an approval leave on the branch. */

let repo: TempRepo;
let ledger: Ledger;
const firstPlan = plan([{ number: 1 }]);
beforeEach(async () => {
  repo = await tempRepo();
  ledger = new Ledger(createLocalLedgerStore(repo.dir), { now: () => T0, sleep: async () => undefined });
  await ledger.writeFiles(7, { "task.json": json(taskMeta(7)), "plan.json": json(firstPlan) });
});
afterEach(async () => {
  await repo.cleanup();
});

const build = (title: string) => (version: number) => ({
  plan: { ...plan([{ number: 1 }, { number: 2 }]), title } as unknown as Plan,
  markdown: `# ${title} v${version}\n`,
  runFiles: { "runs/plan-2/report.md": "planned\n" },
});

async function lastMessage(): Promise<string> {
  return (await git(["log", "-1", "--format=%s", "okstra/ledger"], { cwd: repo.dir })).stdout.trim();
}

describe("persistPlanMutation", () => {
  it("stores the next version, keeps the previous plan and lands the run's files in one commit", async () => {
    const before = await refSha(repo.dir);
    const { value } = await ledger.mutate(persistPlanMutation(7, build("Second")));

    const stored = JSON.parse(await showFile(repo.dir, "tasks/7/plan.json")) as Record<string, unknown>;
    expect(stored).toMatchObject({ title: "Second", version: 2 });
    expect(value).toEqual({ version: 2, digest: planDigest(stored), supersededVersion: 1 });
    expect(JSON.parse(await showFile(repo.dir, "tasks/7/plan.v1.json"))).toEqual(firstPlan);
    expect(await showFile(repo.dir, "tasks/7/plan.md")).toBe("# Second v2\n");
    expect(await showFile(repo.dir, "tasks/7/runs/plan-2/report.md")).toBe("planned\n");
    expect(JSON.parse(await showFile(repo.dir, "tasks/7/task.json"))).toMatchObject({ planVersion: 2 });
    expect(await lastMessage()).toBe("ledger(#7): plan v2");
    const parents = await git(["rev-list", "--count", `${before}..okstra/ledger`], { cwd: repo.dir });
    expect(parents.stdout.trim()).toBe("1");
  });
});

describe("approvePlanMutation", () => {
  const approval = (digest: string) => ({
    digest,
    version: 1,
    actor: "octocat",
    baseCommit: sha("base"),
    now: minutes(T0, 5),
  });

  it("appends the approved row bound to the digest and records the implementation base", async () => {
    await ledger.mutate(approvePlanMutation(7, approval(planDigest(firstPlan))));

    const task = await ledger.readTask(7);
    expect(task?.rows).toEqual([
      {
        at: minutes(T0, 5).toISOString(),
        run: "approve-1",
        status: "approved",
        planDigest: planDigest(firstPlan),
        actor: "octocat",
      },
    ]);
    expect(task?.meta.implementationBaseCommit).toBe(sha("base"));
    expect(await lastMessage()).toBe("ledger(#7): approve plan v1");
  });

  it("refuses with PlanChangedError and writes nothing when the plan is no longer the one approved", async () => {
    const before = await refSha(repo.dir);
    const stale = approvePlanMutation(7, approval(planDigest(plan([{ number: 9 }]))));

    await expect(ledger.mutate(stale)).rejects.toBeInstanceOf(PlanChangedError);
    expect(await refSha(repo.dir)).toBe(before);
    expect((await ledger.readTask(7))?.rows).toEqual([]);
  });
});
