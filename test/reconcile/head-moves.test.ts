import { describe, expect, it } from "@jest/globals";
import { deriveStages, rowsToAppend } from "../../src/ledger/derive.js";
import type { DoneRow, LedgerRow } from "../../src/ledger/rows.js";
import {
  classifyHeadChange,
  reconciliationRows,
  staleVerdict,
  type StageHeadMove,
} from "../../src/engine/reconcile/head-moves.js";
import { sha, T0 } from "../ledger/fixtures.js";

const AT = T0.toISOString();
const done: DoneRow = {
  at: AT,
  run: "impl-1",
  status: "done",
  stage: 1,
  headCommit: sha("old"),
  branch: "okstra/7/s1",
  carryPath: "tasks/7/carry/stage-1.json",
};
const verified: LedgerRow = {
  at: AT,
  run: "verify-1",
  status: "verified",
  stage: 1,
  verdict: "accepted",
  reportPath: "tasks/7/runs/verify-1/report.md",
  headCommit: sha("old"),
};
const move = (change: StageHeadMove["change"]): StageHeadMove => ({
  stage: 1,
  branch: "okstra/7/s1",
  from: sha("old"),
  to: sha("new"),
  change,
  commits: [],
});
const state = (rows: LedgerRow[]) =>
  deriveStages(rows, T0)[0]! as ReturnType<typeof deriveStages>[number] & { done: DoneRow };

describe("what a moved stage branch means", () => {
  it.each([
    [{ status: "ahead", sameTree: false }, "commits-added"],
    [{ status: "ahead", sameTree: true }, "same-content"],
    [{ status: "diverged", sameTree: true }, "same-content"],
    [{ status: "diverged", sameTree: false }, "rewritten"],
    [{ status: "behind", sameTree: false }, "rewritten"],
  ] as const)("%j is %s", (comparison, change) => {
    expect(classifyHeadChange({ ...comparison, commits: [] })).toBe(change);
  });

  it("an old head the platform no longer knows counts as rewritten with new content", () => {
    expect(classifyHeadChange(null)).toBe("rewritten");
  });
});

describe("the rows that record it", () => {
  it("same content: a git-reconcile done and the verdict carried over, both current at the new head", () => {
    const rows = reconciliationRows(move("same-content"), state([done, verified]), AT);
    expect(rows.map((r) => [r.status, r.run, r.source, r.headCommit])).toEqual([
      ["done", "impl-1", "git-reconcile", sha("new")],
      ["verified", "verify-1", "git-reconcile", sha("new")],
    ]);
    // The ledger keeps both, though their (run, stage, status) are already recorded: they move the effective head.
    expect(rowsToAppend([done, verified], rows)).toEqual(rows);
    expect(deriveStages([done, verified, ...rows], T0)[0]!.verdictCurrent).toBe(true);
  });

  it("commits added: a user-edit done, and the verdict stays at the old head, stale", () => {
    const rows = reconciliationRows(move("commits-added"), state([done, verified]), AT);
    expect(rows).toEqual([{ ...done, headCommit: sha("new"), source: "user-edit" }]);
    const [after] = deriveStages([done, verified, ...rows], T0);
    expect([after!.verdict?.headCommit, after!.verdictCurrent]).toEqual([sha("old"), false]);
    expect(staleVerdict(move("commits-added"), state([done, verified]))).toEqual(verified);
  });

  it("rewritten: a git-reconcile done; a verdict that was already stale is not carried, nor called stale again", () => {
    const older: LedgerRow = { ...verified, headCommit: sha("older") };
    expect(reconciliationRows(move("rewritten"), state([done, older]), AT).map((r) => [r.status, r.source])).toEqual([
      ["done", "git-reconcile"],
    ]);
    expect(reconciliationRows(move("same-content"), state([done, older]), AT).map((r) => r.status)).toEqual(["done"]);
    expect(staleVerdict(move("rewritten"), state([done, older]))).toBeNull();
  });
});
