import { describe, expect, it } from "@jest/globals";
import { stackEntries } from "../../src/engine/pull-requests/stage-prs.js";
import type { PullRequestInfo } from "../../src/platform/types.js";
import { doneRow, ISSUE, prRow, sha, taskFrom, validPlan, verifiedRow } from "./fixtures.js";

const plan = validPlan();
const at = "2025-03-01T10:00:00.000Z";

function pull(number: number, stage: number, merged = false): PullRequestInfo {
  const state = merged ? "closed" : "open";
  return {
    number,
    title: "",
    body: "",
    head: `okstra/${ISSUE}/s${stage}`,
    base: "main",
    draft: true,
    state,
    merged,
    url: `https://github.com/o/r/pull/${number}`,
  };
}

describe("stackEntries", () => {
  it("derives each stage's state from the ledger: not started, failed, draft, verdicts at the current head", () => {
    const failed = { at, run: "impl-1", status: "failed" as const, stage: 4, reason: "validation-failed", detail: "" };
    const task = taskFrom(
      [
        doneRow(1),
        verifiedRow(1, "accepted"),
        doneRow(2),
        verifiedRow(2, "conditional-accept"),
        doneRow(3),
        verifiedRow(3, "blocked"),
        failed,
      ],
      plan,
    );
    expect(stackEntries(task, plan, new Map()).map((e) => [e.stage, e.state])).toEqual([
      [1, "verified"],
      [2, "conditional"],
      [3, "blocked"],
      [4, "failed"],
    ]);
    const fresh = taskFrom([doneRow(1)], plan);
    expect(stackEntries(fresh, plan, new Map()).map((e) => e.state)).toEqual([
      "draft",
      "not-started",
      "not-started",
      "not-started",
    ]);
  });

  it("treats a verdict given at an older head as no verdict", () => {
    const task = taskFrom(
      [doneRow(1, sha("old")), verifiedRow(1, "accepted", sha("old")), doneRow(1, sha("new"))],
      plan,
    );
    expect(stackEntries(task, plan, new Map())[0].state).toBe("draft");
  });

  it("shows stages being verified, merged PRs and stages shipped in a group PR", () => {
    const task = taskFrom(
      [doneRow(1), doneRow(2), doneRow(3), prRow(1, 101), prRow(2, 102), prRow(3, 103), prRow(3, 140, "group", [3])],
      plan,
    );
    const prs = new Map([
      [1, pull(101, 1, true)],
      [2, pull(102, 2)],
    ]);
    expect(stackEntries(task, plan, prs, new Set([2]))).toEqual([
      { stage: 1, title: plan.stages[0].title, dependsOn: [], pr: 101, state: "merged" },
      { stage: 2, title: plan.stages[1].title, dependsOn: [], pr: 102, state: "verifying" },
      { stage: 3, title: plan.stages[2].title, dependsOn: [1, 2], pr: 103, state: "shipped", shippedIn: 140 },
      { stage: 4, title: plan.stages[3].title, dependsOn: [3], state: "not-started" },
    ]);
  });

  it("prefers the PR the platform shows over an older row for the same stage", () => {
    const task = taskFrom([doneRow(1), prRow(1, 101)], plan);
    expect(stackEntries(task, plan, new Map([[1, pull(150, 1)]]))[0].pr).toBe(150);
  });
});
