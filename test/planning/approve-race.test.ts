import { afterEach, beforeEach, expect, it } from "@jest/globals";
import { approveCommand } from "../../src/engine/planning/approve.js";
import type { CommandContext } from "../../src/engine/context.js";
import { CommandRefusal } from "../../src/engine/refusal.js";
import { Ledger } from "../../src/ledger/ledger.js";
import { createLocalLedgerStore } from "../../src/ledger/local-store.js";
import type { Mutation } from "../../src/ledger/mutations.js";
import { json, sha, T0, taskMeta, tempRepo, type TempRepo } from "../ledger/fixtures.js";
import { validPlan } from "./plan-fixture.js";

/**
 * `/okstra approve` re-checks the plan inside its ledger write: a plan replaced
 * between the read and the write is refused, in the approval's own words, and
 * nothing is approved (a real local ledger; the replacement lands just before the write).
 */

let repo: TempRepo;
let ledger: Ledger;
beforeEach(async () => {
  repo = await tempRepo();
  ledger = new Ledger(createLocalLedgerStore(repo.dir), { now: () => T0, sleep: async () => undefined });
  await ledger.writeFiles(7, { "task.json": json(taskMeta(7)), "plan.json": json(validPlan()) });
});
afterEach(async () => {
  await repo.cleanup();
});

it("refuses an approval whose plan was replaced while it was being approved", async () => {
  const replaced = validPlan((plan) => {
    plan.title = "Another plan";
  });
  // Another writer replaces the plan after approve read it, right before its write.
  const racing = {
    readTask: (issue: number) => ledger.readTask(issue),
    mutate: async <T>(mutation: Mutation<T>) => {
      await ledger.writeFiles(7, { "plan.json": json(replaced) });
      return ledger.mutate(mutation);
    },
  };
  const context = {
    job: { issueNumber: 7, comment: { author: "maintainer" } },
    services: { ledger: racing, platform: { getBranchHead: async () => sha("base") }, now: () => T0 },
  } as unknown as CommandContext;

  const refusal = await approveCommand(context).catch((error: unknown) => error);
  expect(refusal).toBeInstanceOf(CommandRefusal);
  expect(refusal).toMatchObject({
    problem: "the plan changed while it was being approved.",
    instead: "Read the new plan, then comment `/okstra approve` again.",
  });
  const task = await ledger.readTask(7);
  expect(task?.rows).toEqual([]);
  expect(task?.meta.implementationBaseCommit).toBeUndefined();
});
