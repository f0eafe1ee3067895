import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { LedgerCorruptError } from "../../src/ledger/errors.js";
import { Ledger } from "../../src/ledger/ledger.js";
import { createLocalLedgerStore } from "../../src/ledger/local-store.js";
import type { LedgerStore } from "../../src/ledger/store.js";
import { json, minutes, plan, refSha, sha, T0, taskMeta, tempRepo, type TempRepo } from "./fixtures.js";

let repo: TempRepo;
let store: LedgerStore;
let ledger: Ledger;

const goodRow = JSON.stringify({
  at: T0.toISOString(),
  run: "impl-1",
  status: "started",
  stage: 1,
  leaseUntil: minutes(T0, 30).toISOString(),
  baseCommit: sha("base"),
});

/** Puts a ledger.jsonl on the branch the way a hand edit or a buggy foreign writer would: through the store, unchecked. */
async function plantRows(text: string): Promise<string> {
  const outcome = await store.commit({
    parent: await store.head(),
    changes: new Map([["tasks/7/ledger.jsonl", text]]),
    message: "hand edit",
  });
  if (!outcome.ok) throw new Error("could not plant rows");
  return outcome.commit;
}

beforeEach(async () => {
  repo = await tempRepo();
  store = createLocalLedgerStore(repo.dir);
  ledger = new Ledger(store, { now: () => T0, sleep: async () => undefined });
  await ledger.writeFiles(7, {
    "task.json": json(taskMeta(7)),
    "plan.json": json(plan([{ number: 1 }, { number: 2 }])),
  });
});
afterEach(async () => {
  await repo.cleanup();
});

/** Every way of touching the task must refuse with the same error and leave the branch where it was. */
async function expectEveryOperationRefuses(head: string, match: Partial<LedgerCorruptError>): Promise<void> {
  const operations = [
    () => ledger.readTask(7),
    () => ledger.appendRows(7, [{ run: "impl-2", status: "cancelled" }]),
    () => ledger.claimStages(7, "impl-2", [2], minutes(T0, 30), sha("base")),
    () => ledger.writeFiles(7, { "runs/impl-2/report.md": "# report\n" }),
    () => ledger.reconcile(7),
  ];
  for (const operation of operations) {
    const attempt = operation();
    await expect(attempt).rejects.toBeInstanceOf(LedgerCorruptError);
    await expect(attempt).rejects.toMatchObject(match);
  }
  expect(await refSha(repo.dir)).toBe(head);
}

describe("a corrupt ledger.jsonl", () => {
  it("with a line that is not JSON: names the file and line, and no mutation writes over it", async () => {
    const head = await plantRows(`${goodRow}\n{"at": "2025-03-01T10:00:00Z", "run": "impl-1", "sta\n${goodRow}\n`);
    await expectEveryOperationRefuses(head, { file: "tasks/7/ledger.jsonl", line: 2 });
    await expect(ledger.readTask(7)).rejects.toThrow(/tasks\/7\/ledger\.jsonl line 2 is corrupt: not JSON/);
  });

  it("with a row failing its schema: names the file, line and the field", async () => {
    const bad = JSON.stringify({
      at: T0.toISOString(),
      run: "verify-1",
      status: "verified",
      stage: 1,
      verdict: "great",
      reportPath: "r.md",
      headCommit: sha("h"),
    });
    const head = await plantRows(`${goodRow}\n${goodRow}\n${bad}\n`);
    await expectEveryOperationRefuses(head, { file: "tasks/7/ledger.jsonl", line: 3 });
    await expect(ledger.readTask(7)).rejects.toThrow(/line 3 .*verdict/);
  });

  it("with an unknown status: is corrupt too, not silently skipped", async () => {
    const head = await plantRows(
      `${JSON.stringify({ at: T0.toISOString(), run: "x-1", status: "teleported", stage: 1 })}\n`,
    );
    await expectEveryOperationRefuses(head, { line: 1 });
  });
});

describe("other corrupt task files", () => {
  it("a task.json that is not JSON names the file and the line", async () => {
    const outcome = await store.commit({
      parent: await store.head(),
      changes: new Map([["tasks/7/task.json", '{\n  "issue": 7,\n  "title": }\n']]),
      message: "hand edit",
    });
    if (!outcome.ok) throw new Error("could not plant task.json");
    await expect(ledger.readTask(7)).rejects.toMatchObject({ file: "tasks/7/task.json" });
  });
});
