import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  LeaseLostError,
  LedgerContentionError,
  LedgerInputError,
  StageClaimedError,
  StageDoneError,
  TaskNotFoundError,
} from "../../src/ledger/errors.js";
import { Ledger } from "../../src/ledger/ledger.js";
import { createLocalLedgerStore } from "../../src/ledger/local-store.js";
import { planDigest } from "../../src/plan/plan-digest.js";
import type { LedgerStore } from "../../src/ledger/store.js";
import { git } from "../../src/util/git.js";
import {
  carry,
  json,
  minutes,
  plan,
  refSha,
  sha,
  showFile,
  T0,
  taskMeta,
  tempRepo,
  type TempRepo,
} from "./fixtures.js";

let repo: TempRepo;
let clock: Date;
const noSleep = async () => undefined;

function ledger(options: { maxAttempts?: number } = {}): Ledger {
  return new Ledger(createLocalLedgerStore(repo.dir), {
    now: () => clock,
    sleep: noSleep,
    random: () => 0.5,
    ...options,
  });
}

async function rowsOnBranch(issue: number): Promise<Array<Record<string, unknown>>> {
  const text = await showFile(repo.dir, `tasks/${issue}/ledger.jsonl`);
  return text
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

beforeEach(async () => {
  repo = await tempRepo();
  clock = T0;
});
afterEach(async () => {
  await repo.cleanup();
});

describe("Ledger on a local repository", () => {
  it("creates the orphan okstra/ledger branch on first write, leaving the user's branch alone", async () => {
    const mainBefore = await refSha(repo.dir, "refs/heads/main");
    const outcome = await ledger().writeFiles(7, { "task.json": json(taskMeta(7)) });

    expect(outcome.wrote).toBe(true);
    expect(await refSha(repo.dir)).toBe(outcome.commit);
    expect((await git(["rev-list", "--count", "okstra/ledger"], { cwd: repo.dir })).stdout.trim()).toBe("1");
    expect(JSON.parse(await showFile(repo.dir, "tasks/7/task.json"))).toEqual(taskMeta(7));
    expect(await refSha(repo.dir, "refs/heads/main")).toBe(mainBefore);
    expect((await git(["status", "--porcelain"], { cwd: repo.dir })).stdout).toBe("");
  });

  it("reads a task back with its rows, plan, carries and derived state", async () => {
    const l = ledger();
    await l.writeFiles(7, {
      "task.json": json(taskMeta(7)),
      "plan.json": json(plan([{ number: 1 }, { number: 2, dependsOn: [1] }])),
    });
    await l.appendRows(7, [
      {
        run: "impl-1",
        status: "started",
        stage: 1,
        leaseUntil: minutes(T0, 30).toISOString(),
        baseCommit: sha("base"),
      },
    ]);

    const task = await l.readTask(7);
    expect(task?.meta.title).toBe("Task 7");
    expect(task?.planStages?.map((s) => s.number)).toEqual([1, 2]);
    expect(task?.state.stages.find((s) => s.stage === 1)?.claim?.run).toBe("impl-1");
    expect(task?.state.ready).toEqual([]);
    expect(await l.readTask(8)).toBeNull();
  });

  it("appends the same (run, stage, status) only once and writes no commit for the replay", async () => {
    const l = ledger();
    await l.writeFiles(7, { "task.json": json(taskMeta(7)) });
    const row = { run: "impl-1", status: "failed" as const, stage: 1, reason: "validation-failed", detail: "exit 1" };
    const first = await l.appendRows(7, [row]);
    clock = minutes(T0, 5);
    const second = await l.appendRows(7, [row]);

    expect(first.value.appended).toHaveLength(1);
    expect(second).toMatchObject({ wrote: false, commit: first.commit, value: { appended: [] } });
    expect(await rowsOnBranch(7)).toHaveLength(1);
  });

  it("keeps a reconciliation done at a new head commit, and it becomes the effective done", async () => {
    const l = ledger();
    await l.writeFiles(7, { "task.json": json(taskMeta(7)) });
    const done = {
      run: "impl-1",
      status: "done" as const,
      stage: 1,
      headCommit: sha("h1"),
      branch: "okstra/7/s1",
      carryPath: "carry/stage-1.json",
    };
    await l.appendRows(7, [done]);
    await l.appendRows(7, [done]);
    await l.appendRows(7, [{ ...done, headCommit: sha("h2"), source: "git-reconcile" }]);

    expect((await rowsOnBranch(7)).map((r) => [r.headCommit, r.source])).toEqual([
      [sha("h1"), undefined],
      [sha("h2"), "git-reconcile"],
    ]);
    expect((await l.readTask(7))?.state.stages[0]?.done?.headCommit).toBe(sha("h2"));
  });

  it("refuses rows for a task that does not exist, and rows that fail their schema, writing nothing", async () => {
    const l = ledger();
    await expect(l.appendRows(9, [{ run: "impl-1", status: "cancelled" }])).rejects.toBeInstanceOf(TaskNotFoundError);
    await l.writeFiles(9, { "task.json": json(taskMeta(9)) });
    const head = await refSha(repo.dir);
    await expect(l.appendRows(9, [{ run: "impl-1", status: "done", stage: 1 } as never])).rejects.toThrow(
      LedgerInputError,
    );
    expect(await refSha(repo.dir)).toBe(head);
  });

  it("claims stages all-or-nothing and names the run holding a refused stage", async () => {
    const l = ledger();
    await l.writeFiles(7, {
      "task.json": json(taskMeta(7)),
      "plan.json": json(plan([{ number: 1 }, { number: 2 }, { number: 3 }])),
    });
    const lease = minutes(T0, 30);
    const first = await l.claimStages(7, "impl-1", [1, 2], lease, sha("base"));
    expect(first.value.claimed).toEqual([1, 2]);

    const refused = l.claimStages(7, "impl-2", [3, 2], lease, sha("base"));
    await expect(refused).rejects.toBeInstanceOf(StageClaimedError);
    await expect(refused).rejects.toMatchObject({ stage: 2, run: "impl-1" });
    expect((await rowsOnBranch(7)).filter((r) => r.stage === 3)).toEqual([]);

    // A replayed claim by the holder is not a second claim.
    const replay = await l.claimStages(7, "impl-1", [1], lease, sha("base"));
    expect(replay).toMatchObject({ wrote: false, value: { claimed: [], alreadyHeld: [1] } });
  });

  it("refuses to claim a done stage, and lets another run claim one whose lease expired, abandoning the old one", async () => {
    const l = ledger();
    await l.writeFiles(7, { "task.json": json(taskMeta(7)), "plan.json": json(plan([{ number: 1 }, { number: 2 }])) });
    await l.appendRows(7, [
      { run: "impl-1", status: "done", stage: 1, headCommit: sha("h1"), branch: "b", carryPath: "carry/stage-1.json" },
    ]);
    await expect(l.claimStages(7, "impl-2", [1], minutes(T0, 30), sha("base"))).rejects.toBeInstanceOf(StageDoneError);

    await l.claimStages(7, "impl-1", [2], minutes(T0, 30), sha("base"));
    clock = minutes(T0, 31);
    const reclaim = await l.claimStages(7, "impl-2", [2], minutes(T0, 60), sha("base"));
    expect(reclaim.value.abandoned).toEqual([
      expect.objectContaining({ run: "impl-1", stage: 2, status: "abandoned" }),
    ]);
    expect((await rowsOnBranch(7)).map((r) => `${r.status}:${r.run}`)).toEqual([
      "done:impl-1",
      "started:impl-1",
      "abandoned:impl-1",
      "started:impl-2",
    ]);
  });

  it("records where each claimed stage starts: the base, its one dependency's head, or the stages a later merge starts from", async () => {
    const l = ledger();
    const diamond = plan([
      { number: 1 },
      { number: 2, dependsOn: [1] },
      { number: 3, dependsOn: [1] },
      { number: 4, dependsOn: [3, 2] },
      { number: 5 },
    ]);
    await l.writeFiles(7, { "task.json": json(taskMeta(7)), "plan.json": json(diamond) });
    await l.appendRows(7, [
      { run: "impl-1", status: "done", stage: 1, headCommit: sha("h1"), branch: "b", carryPath: "carry/stage-1.json" },
    ]);

    await l.claimStages(7, "impl-2", [2, 3, 4, 5], minutes(T0, 30), sha("base"));
    const started = (await rowsOnBranch(7)).filter((r) => r.status === "started");
    expect(started.map((r) => [r.stage, r.baseCommit, r.baseFrom])).toEqual([
      [2, sha("h1"), undefined],
      [3, sha("h1"), undefined],
      [4, undefined, [2, 3]],
      [5, sha("base"), undefined],
    ]);

    // A renewal keeps what the claim said; the done row of a merged base names the merge.
    clock = minutes(T0, 10);
    await l.renewLeases(7, "impl-2", [4], minutes(T0, 40));
    expect((await rowsOnBranch(7)).filter((r) => r.stage === 4).at(-1)).toMatchObject({ baseFrom: [2, 3] });
    const merged = sha("merge-2-3");
    await l.recordStageDone(7, {
      run: "impl-2",
      carry: carry(4, { stageCommitRange: { base: merged, head: sha("h4") } }),
      now: clock,
    });
    expect((await rowsOnBranch(7)).find((r) => r.status === "done" && r.stage === 4)).toMatchObject({
      baseCommit: merged,
      headCommit: sha("h4"),
    });
  });

  it("backfills done from a complete carry before readiness, and records it with the next claim", async () => {
    const l = ledger();
    const p = plan([{ number: 1 }, { number: 2, dependsOn: [1] }, { number: 3 }, { number: 4, dependsOn: [3] }]);
    await l.writeFiles(7, {
      "task.json": json(taskMeta(7)),
      "plan.json": json(p),
      "carry/stage-1.json": json(carry(1)),
      "carry/stage-3.json": json(carry(3, { status: "partial" })),
    });

    const task = await l.readTask(7);
    expect(task?.state.backfill).toEqual([
      expect.objectContaining({ stage: 1, source: "carry-backfill", headCommit: sha("s1-head") }),
    ]);
    expect(task?.state.ready).toEqual([2, 3]);

    await l.claimStages(7, "impl-2", [2], minutes(T0, 30), sha("base"));
    expect((await rowsOnBranch(7)).map((r) => [r.status, r.stage, r.source])).toEqual([
      ["done", 1, "carry-backfill"],
      ["started", 2, undefined],
    ]);
  });

  it("validates task files before writing and skips a write that changes nothing", async () => {
    const l = ledger();
    await expect(l.writeFiles(7, { "task.json": json({ ...taskMeta(7), issue: 8 }) })).rejects.toThrow(/issue is 8/);
    await expect(l.writeFiles(7, { "../8/task.json": "{}" })).rejects.toBeInstanceOf(LedgerInputError);
    await expect(l.writeFiles(7, { "ledger.jsonl": "" })).rejects.toThrow(/appendRows/);
    const first = await l.writeFiles(7, { "task.json": json(taskMeta(7)), "runs/plan-1/report.md": "# Report\n" });
    const again = await l.writeFiles(7, { "task.json": json(taskMeta(7)) });
    expect(again).toMatchObject({ wrote: false, commit: first.commit });
  });

  it("tells whether the current plan is approved by digest", async () => {
    const l = ledger();
    const p = plan([{ number: 1 }]);
    await l.writeFiles(7, { "task.json": json(taskMeta(7)), "plan.json": json(p) });
    await l.appendRows(7, [{ run: "approve-1", status: "approved", planDigest: planDigest(p), actor: "alice" }]);
    expect((await l.readTask(7))?.state.approval?.current).toBe(true);
    await l.writeFiles(7, { "plan.json": json({ ...p, title: "changed" }) });
    expect((await l.readTask(7))?.state.approval?.current).toBe(false);
  });

  it("gives a file reference `git show` understands", async () => {
    const l = ledger();
    await l.writeFiles(7, { "task.json": json(taskMeta(7)) });
    const ref = l.fileUrl(7, "task.json");
    expect(ref).toBe("okstra/ledger:tasks/7/task.json");
    expect((await git(["show", ref], { cwd: repo.dir })).stdout).toBe(json(taskMeta(7)));
  });

  it("renews a held lease, and refuses once the stage was abandoned", async () => {
    const l = ledger();
    await l.writeFiles(7, { "task.json": json(taskMeta(7)), "plan.json": json(plan([{ number: 1 }])) });
    await l.claimStages(7, "impl-1", [1], minutes(T0, 30), sha("base"));
    clock = minutes(T0, 20);
    await l.renewLeases(7, "impl-1", [1], minutes(T0, 50));
    clock = minutes(T0, 40);
    expect((await l.readTask(7))?.state.stages[0]?.claim?.run).toBe("impl-1");

    clock = minutes(T0, 51);
    const sweep = await l.reconcile(7);
    expect(sweep.value.abandoned).toEqual([expect.objectContaining({ stage: 1, run: "impl-1" })]);
    await expect(l.renewLeases(7, "impl-1", [1], minutes(T0, 80))).rejects.toBeInstanceOf(LeaseLostError);
    await expect(l.renewLeases(7, "impl-1", [1], minutes(T0, 80))).rejects.toThrow(/abandoned by impl-1/);
  });

  it("reconciles expired leases and complete carries in one commit, and then has nothing left to do", async () => {
    const l = ledger();
    await l.writeFiles(7, { "task.json": json(taskMeta(7)), "plan.json": json(plan([{ number: 1 }, { number: 2 }])) });
    await l.claimStages(7, "impl-1", [1, 2], minutes(T0, 30), sha("base"));
    await l.writeFiles(7, { "carry/stage-1.json": json(carry(1)) }); // the run crashed after writing stage 1's carry
    clock = minutes(T0, 45);
    const before = await refSha(repo.dir);

    const sweep = await l.reconcile(7);
    expect(sweep.value.backfilled.map((r) => r.stage)).toEqual([1]);
    expect(sweep.value.abandoned.map((r) => r.stage)).toEqual([2]);
    expect((await git(["rev-list", "--count", `${before}..okstra/ledger`], { cwd: repo.dir })).stdout.trim()).toBe("1");
    expect((await l.reconcile(7)).wrote).toBe(false);
    expect((await l.readTask(7))?.state.ready).toEqual([2]);
    expect(await l.listTasks()).toEqual([7]);
  });

  it("lets two writers create the branch at once: one creates it, the other re-applies on top", async () => {
    // Both writers' first head read is held until both have made it, so both see "no branch" and both try to create it.
    let arrived = 0;
    let release: () => void = () => undefined;
    const bothRead = new Promise<void>((resolve) => (release = resolve));
    const gated = (): LedgerStore => {
      const store = createLocalLedgerStore(repo.dir);
      let first = true;
      return {
        describe: store.describe,
        head: async () => {
          const head = await store.head();
          if (first) {
            first = false;
            if (++arrived === 2) release();
            await bothRead;
          }
          return head;
        },
        snapshot: (commit) => store.snapshot(commit),
        commit: (request) => store.commit(request),
        fileUrl: (path) => store.fileUrl(path),
        introducedBy: (path, line) => store.introducedBy(path, line),
        everHeld: (path) => store.everHeld(path),
      };
    };
    const options = { now: () => clock, sleep: noSleep };
    const [ra, rb] = await Promise.all([
      new Ledger(gated(), options).writeFiles(7, { "task.json": json(taskMeta(7)) }),
      new Ledger(gated(), options).writeFiles(8, { "task.json": json(taskMeta(8)) }),
    ]);

    expect([ra.attempts, rb.attempts].sort()).toEqual([1, 2]);
    expect((await git(["rev-list", "--count", "okstra/ledger"], { cwd: repo.dir })).stdout.trim()).toBe("2");
    expect(await ledger().listTasks()).toEqual([7, 8]);
  });

  it("treats a held ref lock as a lost race and gives up with a typed error after 8 attempts", async () => {
    const l = ledger();
    await l.writeFiles(7, { "task.json": json(taskMeta(7)) });
    const head = await refSha(repo.dir);
    const lock = join(repo.dir, ".git", "refs", "heads", "okstra", "ledger.lock");
    await writeFile(lock, "");
    const slept: number[] = [];
    const stuck = new Ledger(createLocalLedgerStore(repo.dir), {
      now: () => clock,
      random: () => 1,
      monotonic: () => 0,
      sleep: async (ms) => void slept.push(ms),
    });

    const attempt = stuck.appendRows(7, [{ run: "impl-1", status: "cancelled" }]);
    await expect(attempt).rejects.toBeInstanceOf(LedgerContentionError);
    await expect(attempt).rejects.toThrow(/8 times/);
    expect(slept).toEqual([250, 500, 1000, 2000, 4000, 8000, 10000]);
    expect(await refSha(repo.dir)).toBe(head);
  });
});

describe("redaction of ledger writes", () => {
  it("redacts what a write adds, and never rewrites signed rows already stored, even when a later secret occurs in them", async () => {
    await ledger().writeFiles(7, { "task.json": json(taskMeta(7)) });
    const value = "quarterly-figures-7f3a9c1e5b2d4680a1c3e5f7";
    await ledger().appendRows(7, [
      { run: "impl-1", status: "failed", stage: 1, reason: "validation-failed", detail: `saw ${value}` },
    ]);
    const saved = process.env.ACME_TOKEN;
    // The operator configures a secret whose value happens to stand in a row okstra already signed.
    process.env.ACME_TOKEN = value;
    try {
      await ledger().appendRows(7, [
        { run: "impl-2", status: "failed", stage: 1, reason: "validation-failed", detail: `again ${value}` },
      ]);
      const rows = await rowsOnBranch(7);
      expect(rows.map((r) => r.detail)).toEqual([`saw ${value}`, "again [redacted-secret]"]);
      // Still okstra's own: the task reads, the rows after the old one included.
      expect((await ledger().readTask(7))?.rows).toHaveLength(2);
    } finally {
      if (saved === undefined) delete process.env.ACME_TOKEN;
      else process.env.ACME_TOKEN = saved;
    }
  });
});
