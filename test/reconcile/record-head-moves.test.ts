import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { recordHeadMoves } from "../../src/engine/reconcile/record-head-moves.js";
import type { StageHeadMove } from "../../src/engine/reconcile/head-moves.js";
import { Ledger } from "../../src/ledger/ledger.js";
import { createLocalLedgerStore } from "../../src/ledger/local-store.js";
import { json, minutes, plan, sha, T0, taskMeta, tempRepo, type TempRepo } from "../ledger/fixtures.js";

/**
 * The reconciling mutation decides again on the rows it reads: a move seen
 * before another writer changed the stage is not recorded over that change
 * (a real local ledger; the moves are given, as inspectStageHeads would).
 */

let repo: TempRepo;
let ledger: Ledger;
const move: StageHeadMove = {
  stage: 1,
  branch: "okstra/7/s1",
  from: sha("old"),
  to: sha("new"),
  change: "commits-added",
  commits: [],
};
const rowsOf = async () =>
  (await ledger.readTask(7))!.rows.map((r) => [
    r.status,
    r.run,
    "headCommit" in r ? r.headCommit : null,
    r.source ?? null,
  ]);

beforeEach(async () => {
  repo = await tempRepo();
  ledger = new Ledger(createLocalLedgerStore(repo.dir), { now: () => T0 });
  await ledger.writeFiles(7, {
    "task.json": json(taskMeta(7)),
    "plan.json": json(plan([{ number: 1 }, { number: 2 }])),
  });
  await ledger.appendRows(7, [
    {
      run: "impl-1",
      status: "done",
      stage: 1,
      headCommit: sha("old"),
      branch: "okstra/7/s1",
      carryPath: "tasks/7/carry/stage-1.json",
    },
  ]);
});
afterEach(async () => {
  await repo.cleanup();
});

describe("recordHeadMoves", () => {
  it("records a move in one commit and a replay of it in none", async () => {
    expect((await recordHeadMoves(ledger, 7, [move], T0)).map((r) => r.move.stage)).toEqual([1]);
    const head = await ledger.store.head();
    expect(await recordHeadMoves(ledger, 7, [move], T0)).toEqual([]);
    expect(await ledger.store.head()).toBe(head);
    expect(await rowsOf()).toEqual([
      ["done", "impl-1", sha("old"), null],
      ["done", "impl-1", sha("new"), "user-edit"],
    ]);
  });

  it("leaves a stage alone that a run claimed after the move was seen", async () => {
    await ledger.appendRows(7, [
      { run: "impl-2", status: "started", stage: 1, leaseUntil: minutes(T0, 10).toISOString(), baseCommit: sha("old") },
    ]);
    expect(await recordHeadMoves(ledger, 7, [move], T0)).toEqual([]);
    expect((await rowsOf()).map((r) => r[0])).toEqual(["done", "started"]);
  });

  it("leaves a stage alone whose done another pass moved meanwhile", async () => {
    await ledger.appendRows(7, [
      {
        run: "impl-1",
        status: "done",
        source: "git-reconcile",
        stage: 1,
        headCommit: sha("newer"),
        branch: "okstra/7/s1",
        carryPath: "tasks/7/carry/stage-1.json",
      },
    ]);
    expect(await recordHeadMoves(ledger, 7, [move], T0)).toEqual([]);
    expect((await ledger.readTask(7))!.state.stages[0]!.done!.headCommit).toBe(sha("newer"));
  });
});
