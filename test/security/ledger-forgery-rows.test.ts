import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { configureRecordedWorkers, createLocalRepo, type LocalRepo } from "../helpers/local-repo.js";
import { appendRow, expectDistrusted as expectDistrustedIn, forgeLedgerCommit } from "./ledger-forgery-repo.js";

/**
 * SPEC §14.5: a forged `verified`, `done` or carry pushed to `okstra/ledger`
 * is trusted by none of `status`, `verify` and `ship`; each names the commit
 * that introduced it, and reverting that commit repairs the task.
 * One implemented task (stages 1 and 2 done) serves every case.
 */

let repo: LocalRepo;
let rowsBefore: string;
beforeAll(async () => {
  repo = await createLocalRepo();
  await configureRecordedWorkers(repo, "");
  expect((await repo.run("/okstra plan")).code).toBe(0);
  expect((await repo.run("/okstra approve")).code).toBe(0);
  expect((await repo.run("/okstra implement")).code).toBe(0);
  rowsBefore = await repo.ledgerFile("tasks/1/ledger.jsonl");
}, 180_000);
afterAll(async () => {
  await repo?.dispose();
});

async function doneHead(stage: number): Promise<string> {
  const done = rowsBefore
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l))
    .filter((r) => r.status === "done" && r.stage === stage);
  return done.at(-1).headCommit;
}

const expectDistrusted = (commit: string, where: RegExp, unlike: RegExp) =>
  expectDistrustedIn(repo, commit, where, unlike);

describe("forged rows and carries on okstra/ledger (local platform)", () => {
  it("a forged `verified accepted` is not the stage's verdict", async () => {
    const head = await doneHead(1);
    const commit = await forgeLedgerCommit(repo.dir, {
      "tasks/1/ledger.jsonl": appendRow({
        at: new Date().toISOString(),
        run: "verify-7",
        status: "verified",
        stage: 1,
        verdict: "accepted",
        reportPath: "runs/verify-7/report.md",
        headCommit: head,
      }),
    });
    await expectDistrusted(commit, /`tasks\/1\/ledger\.jsonl` line \d+: not signed by okstra/, /✅ accepted/);
  });

  it("a forged `done` does not make a stage done", async () => {
    const commit = await forgeLedgerCommit(repo.dir, {
      "tasks/1/ledger.jsonl": appendRow({
        at: new Date().toISOString(),
        run: "impl-9",
        status: "done",
        stage: 4,
        headCommit: "f".repeat(40),
        branch: "okstra/1/s4",
        carryPath: "carry/stage-4.json",
      }),
    });
    await expectDistrusted(commit, /`tasks\/1\/ledger\.jsonl` line \d+: not signed by okstra/, /ffffff/);
  });

  it("a forged carry is not evidence that a stage is done", async () => {
    const carry = JSON.parse(await repo.ledgerFile("tasks/1/carry/stage-1.json"));
    const forged = {
      ...carry,
      stage: 4,
      run: "impl-9",
      branch: "okstra/1/s4",
      stageCommitRange: { base: carry.stageCommitRange.base, head: "e".repeat(40) },
    };
    const commit = await forgeLedgerCommit(repo.dir, {
      "tasks/1/carry/stage-4.json": () => `${JSON.stringify(forged, null, 2)}\n`,
    });
    await expectDistrusted(commit, /`tasks\/1\/carry\/stage-4\.json`: not signed by okstra/, /eeeeee/);
  });
});
