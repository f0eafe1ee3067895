import { describe, expect, it } from "@jest/globals";
import { deriveTaskState } from "../../src/ledger/derive.js";
import { planDigest } from "../../src/plan/plan-digest.js";
import type { LedgerRow } from "../../src/ledger/rows.js";
import type { TaskLedger } from "../../src/ledger/task-ledger.js";
import { ledgerStatusLinks } from "../../src/engine/commands/status.js";
import { renderLedgerStatus } from "../../src/render/ledger-status.js";
import { minutes, plan, sha, T0, taskMeta } from "./fixtures.js";

const fileUrl = (path: string) => `https://github.com/acme/widgets/blob/okstra/ledger/${path}`;

function task(rows: LedgerRow[], planDoc: Record<string, unknown> | null, now = minutes(T0, 10)): TaskLedger {
  const planStages = planDoc
    ? (planDoc.stages as Array<{ number: number; dependsOn: number[]; steps: unknown[] }>)
    : null;
  return {
    issue: 7,
    ledgerCommit: sha("ledger"),
    meta: taskMeta(7, { title: "Export | import", planVersion: 2 }),
    rows,
    plan: planDoc,
    planStages,
    carries: [],
    state: deriveTaskState({ rows, plan: planDoc, planStages, carries: [], now }),
    untrusted: [],
    unsigned: false,
  };
}

const at = T0.toISOString();
const p = plan([
  { number: 1, title: "Parse CSV" },
  { number: 2, dependsOn: [1], title: "Export endpoint" },
  { number: 3 },
  { number: 4, dependsOn: [3] },
]);
const rows: LedgerRow[] = [
  { at, run: "approve-1", status: "approved", planDigest: planDigest(p), actor: "alice" },
  { at, run: "impl-1", status: "started", stage: 1, leaseUntil: minutes(T0, 5).toISOString(), baseCommit: sha("base") },
  {
    at,
    run: "impl-1",
    status: "done",
    stage: 1,
    headCommit: sha("s1"),
    branch: "okstra/7/s1",
    carryPath: "carry/stage-1.json",
  },
  {
    at,
    run: "verify-1",
    status: "verified",
    stage: 1,
    verdict: "accepted",
    reportPath: "runs/verify-1/report.md",
    headCommit: sha("s1"),
  },
  {
    at,
    run: "impl-1",
    status: "pr",
    stages: [1],
    kind: "stage",
    branch: "okstra/7/s1",
    number: 101,
    url: "https://github.com/acme/widgets/pull/101",
  },
  {
    at,
    run: "impl-2",
    status: "started",
    stage: 2,
    leaseUntil: minutes(T0, 40).toISOString(),
    baseCommit: sha("base"),
  },
  {
    at,
    run: "impl-2",
    status: "started",
    stage: 3,
    leaseUntil: minutes(T0, 40).toISOString(),
    baseCommit: sha("base"),
  },
  { at, run: "impl-2", status: "failed", stage: 3, reason: "validation-failed", detail: "npm test | exit 1" },
];

/** The status table with the links `/okstra status` gives it. */
const status = (t: TaskLedger) => renderLedgerStatus(t, ledgerStatusLinks(t, { fileUrl }));

describe("renderLedgerStatus", () => {
  it("renders one table row per stage with started / done / verified / PR and links to run reports", () => {
    const markdown = status(task(rows, p));

    expect(markdown).toContain("| stage | started | done | verified | PR |");
    const line = (stage: string) => markdown.split("\n").find((l) => l.startsWith(`| ${stage}`));
    expect(line("1 · Parse CSV")).toBe(
      `| 1 · Parse CSV | [impl-1](${fileUrl("tasks/7/runs/impl-1/report.md")}) | \`${sha("s1").slice(0, 7)}\` [impl-1](${fileUrl("tasks/7/runs/impl-1/report.md")}) | [✅ accepted](${fileUrl("tasks/7/runs/verify-1/report.md")}) | [#101](https://github.com/acme/widgets/pull/101) |`,
    );
    expect(line("2 · Export endpoint")).toContain(`⏳ until ${minutes(T0, 40).toISOString()}`);
    expect(line("3 · Stage 3")).toContain("❌ failed: validation-failed");
    expect(line("4 · Stage 4")).toBe("| 4 · Stage 4 | — | — | — | — |");
    expect(markdown).toContain("Plan v2: approved by @alice");
    // Stage 3 failed: the one next step is its retry, the same the run itself gives.
    expect(markdown).toContain("Next: `/okstra retry` — stage 3 failed (validation-failed)");
    expect(markdown).toContain("Export \\| import"); // a pipe in the title cannot break the table
  });

  it("says when the plan changed after it was approved, and when a verdict is stale", () => {
    const reconciled: LedgerRow = {
      at,
      run: "impl-1",
      status: "done",
      stage: 1,
      headCommit: sha("s1-new"),
      branch: "okstra/7/s1",
      carryPath: "carry/stage-1.json",
      source: "user-edit",
    };
    const markdown = status(task([...rows, reconciled], { ...p, title: "edited" }));
    expect(markdown).toContain("**changed since it was approved**");
    expect(markdown).toContain(`(stale: given at \`${sha("s1").slice(0, 7)}\`)`);
    expect(markdown).toContain("(user-edit)");
  });

  it("renders a task with no plan yet", () => {
    const markdown = status(task([], null));
    expect(markdown).toContain("Plan v2: no plan yet.");
    expect(markdown).toContain("No stages yet.");
  });
});
