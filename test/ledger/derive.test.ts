import { describe, expect, it } from "@jest/globals";
import {
  canonicalJson,
  carryBackfillRows,
  deriveStages,
  deriveTaskState,
  expiredLeaseRows,
  isPlanApproved,
  planDigest,
  readyStages,
  rowsToAppend,
  selectBatch,
} from "../../src/ledger/derive.js";
import type { PlanStageShape } from "../../src/ledger/files.js";
import type { LedgerRow } from "../../src/ledger/rows.js";
import { carry, minutes, sha, T0 } from "./fixtures.js";

const at = (n: number) => minutes(T0, n).toISOString();

function started(run: string, stage: number, leaseMinutes: number, atMinute = 0): LedgerRow {
  return { at: at(atMinute), run, status: "started", stage, leaseUntil: at(leaseMinutes), baseCommit: sha("base") };
}
function done(
  run: string,
  stage: number,
  head: string,
  source?: "git-reconcile" | "carry-backfill" | "user-edit",
): LedgerRow {
  return {
    at: at(1),
    run,
    status: "done",
    stage,
    headCommit: sha(head),
    branch: `okstra/7/s${stage}`,
    carryPath: `carry/stage-${stage}.json`,
    ...(source ? { source } : {}),
  };
}
function failed(run: string, stage: number): LedgerRow {
  return { at: at(2), run, status: "failed", stage, reason: "validation-failed", detail: "npm test exited 1" };
}
function verified(run: string, stage: number, verdict: "accepted" | "blocked", head: string): LedgerRow {
  return {
    at: at(3),
    run,
    status: "verified",
    stage,
    verdict,
    reportPath: `runs/${run}/report.md`,
    headCommit: sha(head),
  };
}

const stages = (...specs: Array<[number, number[], number]>): PlanStageShape[] =>
  specs.map(([number, dependsOn, steps]) => ({ number, dependsOn, steps: Array.from({ length: steps }) }));

describe("claimed", () => {
  it("is claimed while the last started has no end after it and its lease is in the future", () => {
    const [s1] = deriveStages([started("impl-1", 1, 30)], minutes(T0, 10));
    expect(s1!.claim?.run).toBe("impl-1");
  });

  it("is not claimed once the lease has expired, though the attempt stays open", () => {
    const [s1] = deriveStages([started("impl-1", 1, 30)], minutes(T0, 31));
    expect(s1!.claim).toBeNull();
    expect(s1!.open?.run).toBe("impl-1");
  });

  it("is not claimed after a failed, done, abandoned or cancelled row newer than the started row", () => {
    for (const end of [
      failed("impl-1", 1),
      done("impl-1", 1, "h1"),
      { at: at(2), run: "impl-1", status: "abandoned", stage: 1, reason: "x" } as LedgerRow,
    ]) {
      const [s1] = deriveStages([started("impl-1", 1, 30), end], minutes(T0, 10));
      expect(s1!.claim).toBeNull();
      expect(s1!.open).toBeNull();
    }
  });

  it("a stage-less cancellation ends every claim before it, not one after it", () => {
    const rows: LedgerRow[] = [
      started("impl-1", 1, 30),
      started("impl-1", 2, 30),
      { at: at(2), run: "cancel-1", status: "cancelled" },
      started("impl-2", 3, 30),
    ];
    const states = deriveStages(rows, minutes(T0, 10));
    expect(states.map((s) => [s.stage, s.claim?.run ?? null])).toEqual([
      [1, null],
      [2, null],
      [3, "impl-2"],
    ]);
  });

  it("orders by position in the file, not by the `at` clocks of different machines", () => {
    // The failed row's clock is behind the started row's, but it was appended after it.
    const rows: LedgerRow[] = [started("impl-1", 1, 30, 5), { ...failed("impl-1", 1), at: at(1) }];
    expect(deriveStages(rows, minutes(T0, 10))[0]!.claim).toBeNull();
  });
});

describe("last-wins", () => {
  it("the effective done is the last done row and the effective verdict the last verified row", () => {
    const rows = [
      done("impl-1", 1, "h1"),
      verified("verify-1", 1, "blocked", "h1"),
      done("impl-2", 1, "h2", "git-reconcile"),
      verified("verify-2", 1, "accepted", "h2"),
    ];
    const [s1] = deriveStages(rows, T0);
    expect(s1!.done?.headCommit).toBe(sha("h2"));
    expect(s1!.verdict?.verdict).toBe("accepted");
    expect(s1!.verdictCurrent).toBe(true);
  });

  it("a verdict given at an older head than the effective done is stale", () => {
    const rows = [
      done("impl-1", 1, "h1"),
      verified("verify-1", 1, "accepted", "h1"),
      done("impl-1", 1, "h2", "user-edit"),
    ];
    const [s1] = deriveStages(rows, T0);
    expect(s1!.verdictCurrent).toBe(false);
  });
});

describe("rowsToAppend (idempotency)", () => {
  it("drops a row whose (run, stage, status) is already recorded", () => {
    const existing = [done("impl-1", 1, "h1")];
    expect(rowsToAppend(existing, [{ ...done("impl-1", 1, "h1"), at: at(9) }])).toEqual([]);
  });

  it("drops the duplicate within one batch too", () => {
    expect(rowsToAppend([], [failed("impl-1", 1), failed("impl-1", 1)])).toHaveLength(1);
  });

  it("keeps rows of another run, stage or status", () => {
    const existing = [done("impl-1", 1, "h1")];
    const incoming = [done("impl-2", 1, "h1"), done("impl-1", 2, "h1"), failed("impl-1", 1)];
    expect(rowsToAppend(existing, incoming)).toEqual(incoming);
  });

  it("keeps a reconciliation done with a new head commit, which then wins", () => {
    const existing = [done("impl-1", 1, "h1")];
    const reconciled = done("impl-1", 1, "h2", "git-reconcile");
    expect(rowsToAppend(existing, [reconciled])).toEqual([reconciled]);
    expect(deriveStages([...existing, reconciled], T0)[0]!.done?.headCommit).toBe(sha("h2"));
  });

  it("drops a reconciliation done that would not move the effective head", () => {
    expect(rowsToAppend([done("impl-1", 1, "h1")], [done("impl-1", 1, "h1", "git-reconcile")])).toEqual([]);
  });

  it("keeps a reconciliation verified that carries the verdict to a new head, which is then current", () => {
    const existing = [
      done("impl-1", 1, "h1"),
      verified("verify-1", 1, "accepted", "h1"),
      done("impl-1", 1, "h2", "git-reconcile"),
    ];
    const carried: LedgerRow = { ...verified("verify-1", 1, "accepted", "h2"), source: "git-reconcile" };
    expect(rowsToAppend(existing, [carried])).toEqual([carried]);
    const [s1] = deriveStages([...existing, carried], T0);
    expect([s1!.verdict?.headCommit, s1!.verdict?.run, s1!.verdictCurrent]).toEqual([sha("h2"), "verify-1", true]);
  });

  it("drops a reconciliation verified at the head the effective verdict already names, and a plain replay of the verdict", () => {
    const existing = [done("impl-1", 1, "h2", "git-reconcile"), verified("verify-1", 1, "accepted", "h2")];
    expect(rowsToAppend(existing, [{ ...verified("verify-1", 1, "accepted", "h2"), source: "git-reconcile" }])).toEqual(
      [],
    );
    expect(rowsToAppend(existing, [verified("verify-1", 1, "accepted", "h3")])).toEqual([]);
  });

  it("treats a retry of the stage by the same run as a new attempt whose failure is recorded", () => {
    const existing = [started("impl-1", 1, 30), failed("impl-1", 1), started("impl-1", 1, 60, 3)];
    expect(rowsToAppend(existing, [failed("impl-1", 1)])).toHaveLength(1);
  });
});

describe("ready set and batch selection (SPEC §6.1)", () => {
  const plan = stages([1, [], 3], [2, [1], 2], [3, [], 4], [4, [2, 3], 1], [5, [], 2]);

  it("is the stages without done, not claimed, whose dependencies are all done, ascending", () => {
    const rows = [done("impl-1", 1, "h1"), started("impl-2", 5, 30)];
    const states = deriveStages(
      rows,
      minutes(T0, 10),
      plan.map((s) => s.number),
    );
    expect(readyStages(plan, states)).toEqual([2, 3]);
  });

  it("a stage whose claim expired is ready again", () => {
    const states = deriveStages(
      [started("impl-2", 5, 30)],
      minutes(T0, 45),
      plan.map((s) => s.number),
    );
    expect(readyStages(plan, states)).toContain(5);
  });

  it("takes stages while the running step sum stays within the budget", () => {
    expect(selectBatch(plan, [1, 3, 5], 8)).toEqual([1, 3]); // 3 + 4 = 7; + 2 would be 9
    expect(selectBatch(plan, [1, 3, 5], 9)).toEqual([1, 3, 5]);
  });

  it("stops at the first stage that does not fit rather than skipping ahead", () => {
    expect(selectBatch(plan, [3, 1, 5], 6)).toEqual([1]); // 1 (3 steps) then 3 (4 steps) would be 7
  });

  it("always takes at least one stage, even one larger than the budget", () => {
    expect(selectBatch(plan, [3], 2)).toEqual([3]);
    expect(selectBatch(plan, [], 8)).toEqual([]);
  });
});

describe("expired leases", () => {
  it("yields one abandoned row per stage whose open lease ran out, in the holder's name", () => {
    const rows = [started("impl-1", 1, 30), started("impl-1", 2, 60), started("impl-1", 3, 10), failed("impl-1", 3)];
    const now = minutes(T0, 45);
    const abandoned = expiredLeaseRows(deriveStages(rows, now), now);
    expect(abandoned).toEqual([
      {
        at: now.toISOString(),
        run: "impl-1",
        status: "abandoned",
        stage: 1,
        reason: expect.stringContaining("lease expired"),
      },
    ]);
  });
});

describe("carry backfill", () => {
  const carries = [
    { path: "tasks/7/carry/stage-1.json", carry: carry(1) },
    { path: "tasks/7/carry/stage-2.json", carry: carry(2, { status: "partial" }) },
    { path: "tasks/7/carry/stage-3.json", carry: carry(3) },
  ];

  it("turns a complete carry without a done row into a done row marked carry-backfill", () => {
    const rows = carryBackfillRows([done("impl-1", 3, "s3-head")], carries, T0);
    expect(rows).toEqual([
      {
        at: T0.toISOString(),
        run: "impl-1",
        status: "done",
        source: "carry-backfill",
        stage: 1,
        headCommit: sha("s1-head"),
        branch: "okstra/7/s1",
        carryPath: "tasks/7/carry/stage-1.json",
      },
    ]);
  });

  it("counts the backfill before readiness; an incomplete carry does not make its dependants ready", () => {
    const plan = stages([1, [], 1], [2, [], 1], [4, [1], 1], [5, [2], 1]);
    const state = deriveTaskState({ rows: [], plan: null, planStages: plan, carries, now: T0 });
    expect(state.backfill.map((r) => r.stage)).toEqual([1, 3]);
    expect(state.ready).toEqual([2, 4]);
  });
});

describe("plan approval", () => {
  it("canonical JSON sorts keys at every depth and ignores formatting", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: "x" } })).toBe(
      '{"a":{"c":"x","d":[1,{"y":2,"z":1}]},"b":1}',
    );
    expect(planDigest(JSON.parse('{ "b": 1, "a": 2 }'))).toBe(planDigest({ a: 2, b: 1 }));
  });

  it("is approved only while the last approval names the current plan's digest", () => {
    const plan = { stages: [], title: "v1" };
    const rows: LedgerRow[] = [
      { at: at(1), run: "approve-1", status: "approved", planDigest: planDigest(plan), actor: "alice" },
    ];
    expect(isPlanApproved(rows, plan)).toBe(true);
    expect(isPlanApproved(rows, { ...plan, title: "v1, edited" })).toBe(false);
    expect(isPlanApproved([], plan)).toBe(false);
  });
});
