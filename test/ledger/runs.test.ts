import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { LedgerCorruptError, StageClaimedError } from "../../src/ledger/errors.js";
import { Ledger } from "../../src/ledger/ledger.js";
import { createLocalLedgerStore } from "../../src/ledger/local-store.js";
import type { LedgerStore } from "../../src/ledger/store.js";
import { runStartedBy } from "../../src/engine/run/start-run.js";
import { readTaskSpend } from "../../src/engine/run/task-spend.js";
import { json, minutes, plan, refSha, sha, showFile, T0, taskMeta, tempRepo, type TempRepo } from "./fixtures.js";

let repo: TempRepo;
let store: LedgerStore;
let ledger: Ledger;
const trigger = (commentId: number) => ({
  commentId,
  deliveryId: `d-${commentId}`,
  actor: "octocat",
  command: "/okstra implement",
});

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

/** A run.json okstra signed but that is not JSON (a truncated write): written through `mutate`, which signs without validating. */
async function plantSignedRunFile(text: string): Promise<void> {
  await ledger.mutate(async () => ({
    changes: new Map([["tasks/7/runs/impl-9/run.json", text]]),
    message: "truncated",
    value: undefined,
  }));
}

describe("runs on the ledger", () => {
  it("starts a run and claims its stages in one commit", async () => {
    const before = await refSha(repo.dir);
    const started = await ledger.startRun(
      { issue: 7, phase: "implementation", trigger: trigger(11), now: T0 },
      { stages: [1], leaseUntil: minutes(T0, 30).toISOString(), baseCommit: sha("base") },
    );
    expect(started.manifest.id).toBe("impl-1");
    expect(started.claim?.claimed).toEqual([1]);
    const log = (await import("../../src/util/git.js")).git(["rev-list", "--count", `${before}..okstra/ledger`], {
      cwd: repo.dir,
    });
    expect((await log).stdout.trim()).toBe("1");
    expect(JSON.parse(await showFile(repo.dir, "tasks/7/runs/impl-1/run.json")).trigger.commentId).toBe(11);
    expect(await showFile(repo.dir, "tasks/7/ledger.jsonl")).toContain('"status":"started","stage":1');
  });

  it("starts no run when the claim is refused", async () => {
    await ledger.startRun(
      { issue: 7, phase: "implementation", trigger: trigger(11), now: T0 },
      { stages: [1], leaseUntil: minutes(T0, 30).toISOString(), baseCommit: sha("base") },
    );
    const head = await refSha(repo.dir);
    await expect(
      ledger.startRun(
        { issue: 7, phase: "implementation", trigger: trigger(12), now: T0 },
        { stages: [1], leaseUntil: minutes(T0, 30).toISOString(), baseCommit: sha("base") },
      ),
    ).rejects.toBeInstanceOf(StageClaimedError);
    expect(await refSha(repo.dir)).toBe(head);
    expect((await ledger.runs(7)).startedBy(12)).toBeNull();
  });

  it("answers which run a comment started and what the runs spent from one read of each run.json", async () => {
    await ledger.startRun({
      issue: 7,
      phase: "planning",
      trigger: trigger(5),
      now: T0,
      extra: { usage: { inputTokens: 10, outputTokens: 2, costUsd: 0.5, calls: 3 } },
    });
    const runs = await ledger.runs(7);
    expect(runs.startedBy(5)).toBe("plan-1");
    expect(runs.startedBy(6)).toBeNull();
    expect(runs.spend).toEqual({ inputTokens: 10, outputTokens: 2, costUsd: 0.5, calls: 3 });
  });

  it("a run.json that is not JSON is a LedgerCorruptError naming the file, for the run lookup and the spend alike", async () => {
    await plantSignedRunFile('{"id": "impl-9", "pha');
    for (const read of [() => runStartedBy(ledger, 7, 1), () => readTaskSpend(ledger, 7), () => ledger.runs(7)]) {
      const attempt = read();
      await expect(attempt).rejects.toBeInstanceOf(LedgerCorruptError);
      await expect(attempt).rejects.toMatchObject({ file: "tasks/7/runs/impl-9/run.json" });
    }
  });
});

describe("a pinned ledger (one run)", () => {
  it("reads the head once, follows its own writes, and re-reads only after losing a race", async () => {
    let heads = 0;
    const counting: LedgerStore = {
      ...store,
      describe: store.describe,
      head: async () => (heads++, store.head()),
      snapshot: (c) => store.snapshot(c),
      commit: (r) => store.commit(r),
      fileUrl: (p) => store.fileUrl(p),
      introducedBy: (...a) => store.introducedBy(...a),
      everHeld: (p) => store.everHeld(p),
    };
    const pinned = new Ledger(counting, { now: () => T0, sleep: async () => undefined }).pinned();
    await pinned.readTask(7);
    await pinned.appendRows(7, [{ run: "impl-1", status: "cancelled" }]);
    await pinned.readTask(7);
    expect(heads).toBe(1);
    // Another writer moves the branch: the pinned write loses its compare-and-swap, re-reads, and lands.
    await ledger.appendRows(7, [{ run: "impl-2", status: "cancelled" }]);
    const outcome = await pinned.appendRows(7, [{ run: "impl-3", status: "cancelled" }]);
    expect(outcome.attempts).toBe(2);
    expect(heads).toBe(2);
    expect(await showFile(repo.dir, "tasks/7/ledger.jsonl")).toMatch(/impl-1[\s\S]*impl-2[\s\S]*impl-3/);
  });
});
