import { describe, expect, it } from "@jest/globals";
import { deriveStages } from "../../src/ledger/derive.js";
import type { LedgerRow } from "../../src/ledger/rows.js";
import { eligibleStages, requestedStages } from "../../src/engine/handoff/eligibility.js";
import { dependencyGaps, describeGaps } from "../../src/engine/handoff/dependency-closure.js";
import { groupBranch, parseOkstraBranch } from "../../src/engine/pull-requests/branch-names.js";
import { sha, T0 } from "../ledger/fixtures.js";
import { doneRow, groupPrRow } from "./github-fixture.js";

const PLAN = [
  { number: 1, dependsOn: [] },
  { number: 2, dependsOn: [] },
  { number: 3, dependsOn: [1, 2] },
  { number: 4, dependsOn: [3] },
];

function verified(
  stage: number,
  verdict: "accepted" | "conditional-accept" | "blocked" = "accepted",
  head = sha(`s${stage}-head`),
): LedgerRow {
  return {
    at: T0.toISOString(),
    run: "verify-1",
    status: "verified",
    stage,
    verdict,
    reportPath: "runs/verify-1/report.md",
    headCommit: head,
  };
}

const states = (rows: LedgerRow[]) => deriveStages(rows, T0, [1, 2, 3, 4]);

describe("which stages a ship may take", () => {
  it("all = every plan stage no group PR covers, naming the skipped ones", () => {
    const result = requestedStages({
      planStages: PLAN,
      states: states([groupPrRow([1, 2], 6)]),
      selection: { kind: "all" },
    });
    expect(result).toEqual({
      ok: true,
      value: {
        stages: [3, 4],
        skipped: [
          { stage: 1, group: 6 },
          { stage: 2, group: 6 },
        ],
      },
    });
  });

  it("refuses all when every stage is shipped, and a list naming a shipped stage, with the group PR", () => {
    const shipped = states([groupPrRow([1, 2], 6), groupPrRow([3, 4], 9)]);
    expect(requestedStages({ planStages: PLAN, states: shipped, selection: { kind: "all" } })).toMatchObject({
      ok: false,
      problem: "every stage of the plan is already shipped: stages 1, 2 in #6; stages 3, 4 in #9.",
    });
    expect(
      requestedStages({ planStages: PLAN, states: shipped, selection: { kind: "list", stages: [2, 3] } }),
    ).toMatchObject({
      ok: false,
      problem: expect.stringContaining("stage 2 is already shipped in #6; stage 3 is already shipped in #9"),
    });
  });

  it("a group PR closed without merging covers nothing any more", () => {
    expect(
      requestedStages({
        planStages: PLAN,
        states: states([groupPrRow([1, 2], 6)]),
        selection: { kind: "list", stages: [1] },
        closedGroups: new Set([6]),
      }),
    ).toEqual({ ok: true, value: { stages: [1], skipped: [] } });
  });

  it("refuses stages the plan does not have", () => {
    expect(
      requestedStages({ planStages: PLAN, states: states([]), selection: { kind: "list", stages: [2, 7, 9] } }),
    ).toMatchObject({ ok: false, problem: "the plan has no stages 7, 9; its stages are 1, 2, 3, 4." });
  });

  it("needs done and a current accepted verdict, grouping the reasons by stage", () => {
    const rows = [
      doneRow(1),
      verified(1),
      doneRow(2),
      verified(2, "blocked"),
      doneRow(3),
      verified(3, "accepted", sha("older")),
      doneRow(4),
    ];
    const result = eligibleStages({ stages: [1, 2, 3, 4], states: states(rows) });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problem).toBe(
      `stage 2: verdict is \`blocked\`, not \`accepted\`; stage 3: verdict is for an older head (verified at \`${sha("older").slice(0, 7)}\`, done at \`${sha("s3-head").slice(0, 7)}\`); stage 4 is not verified yet. ` +
        "Only stages that are done and verified `accepted` at their current head can ship.",
    );
    expect(eligibleStages({ stages: [3, 4], states: states([]) })).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/^stages 3, 4 are not done\./),
    });
  });

  it("a branch that moved after verification is an older head; the verified head is what ships", () => {
    const rows = [doneRow(1), verified(1)];
    const moved = eligibleStages({ stages: [1], states: states(rows), branchHeads: new Map([[1, sha("late")]]) });
    expect(moved).toMatchObject({
      ok: false,
      problem: `stage 1: verdict is for an older head (verified at \`${sha("s1-head").slice(0, 7)}\`, branch \`okstra/1/s1\` is now at \`${sha("late").slice(0, 7)}\`). Only stages that are done and verified \`accepted\` at their current head can ship.`,
    });
    const same = eligibleStages({ stages: [1], states: states(rows), branchHeads: new Map([[1, sha("s1-head")]]) });
    expect(same).toMatchObject({
      ok: true,
      value: [{ stage: 1, done: { headCommit: sha("s1-head") }, verdict: { verdict: "accepted" } }],
    });
  });
});

describe("dependency closure", () => {
  it("names each selected stage's dependencies that are neither selected nor in the base", async () => {
    const inBase = async (stage: number) => stage === 2;
    expect(await dependencyGaps({ planStages: PLAN, selected: [3, 4], inBase })).toEqual([{ stage: 3, missing: [1] }]);
    const gaps = await dependencyGaps({ planStages: PLAN, selected: [4], inBase: async () => false });
    expect(describeGaps(gaps, "main")).toBe("stage 4 needs stage 3 in the base `main` or in this ship");
    expect(await dependencyGaps({ planStages: PLAN, selected: [1, 2, 3], inBase: async () => false })).toEqual([]);
  });
});

describe("okstra's branch names", () => {
  it("reads stage and collector branches back, and nothing else", () => {
    expect(parseOkstraBranch("okstra/12/s3")).toEqual({ kind: "stage", task: 12, stage: 3 });
    expect(parseOkstraBranch(groupBranch(12, [4, 1, 2]))).toEqual({ kind: "group", task: 12, stages: [1, 2, 4] });
    for (const other of ["okstra/ledger", "okstra/12/s0", "okstra/12/group-", "feature/okstra/1/s1", "okstra/12/s3/x"])
      expect(parseOkstraBranch(other)).toBeNull();
  });
});
