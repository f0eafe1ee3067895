import { Writable } from "node:stream";
import { deriveTaskState } from "../../src/ledger/derive.js";
import type { CarrySidecar } from "../../src/ledger/files.js";
import type { LedgerRow } from "../../src/ledger/rows.js";
import type { TaskLedger } from "../../src/ledger/task-ledger.js";
import type { Plan } from "../../src/plan/plan-schema.js";
import type { StackEntry } from "../../src/render/stack-block.js";
import { createLogger, type Logger } from "../../src/util/log.js";
import { sha, taskMeta, T0 } from "../ledger/fixtures.js";
import { validPlan } from "../planning/plan-fixture.js";

/** Builders for stage-PR tests: task 12 over the 4-stage fixture plan, carries, ledger rows and a log you can read. */

export { sha, validPlan };
export const ISSUE = 12;

/** The navigation entries of SPEC §7.1's example, over a diamond: 1 → 2, 1 → 3, {2, 3} → 4. */
export const SPEC_ENTRIES: StackEntry[] = [
  { stage: 1, title: "Parse CSV", dependsOn: [], pr: 101, state: "verified" },
  { stage: 2, title: "Export endpoint", dependsOn: [1], pr: 102, state: "verifying" },
  { stage: 3, title: "UI button", dependsOn: [1], pr: 103, state: "draft" },
  { stage: 4, title: "Docs", dependsOn: [2, 3], state: "not-started" },
];

export function stageCarry(stage: number, overrides: Partial<CarrySidecar> = {}): CarrySidecar {
  return {
    stage,
    taskKey: `issue-${ISSUE}`,
    run: "impl-1",
    branch: `okstra/${ISSUE}/s${stage}`,
    stageCommitRange: { base: sha("base"), head: sha(`s${stage}-head`) },
    commits: [{ sha: sha(`s${stage}-head`), subject: `feat(csv): stage ${stage}` }],
    exposed: { files: [`src/csv/s${stage}.js`], identifiers: [`stage${stage}()`], endpoints: [] },
    validation: [
      {
        phase: "post",
        command: "node --test",
        exitCode: 0,
        durationMs: 1234,
        outputTail: `# tests 3\n# pass 3\n# fail 0\n`,
      },
    ],
    outOfPlanEdits: [],
    placeholders: [],
    worker: { provider: "command" },
    status: "complete",
    ...overrides,
  };
}

const AT = T0.toISOString();

export function doneRow(stage: number, head = sha(`s${stage}-head`)): LedgerRow {
  return {
    at: AT,
    run: "impl-1",
    status: "done",
    stage,
    headCommit: head,
    branch: `okstra/${ISSUE}/s${stage}`,
    carryPath: `tasks/${ISSUE}/carry/stage-${stage}.json`,
  };
}

export function prRow(
  stage: number,
  number: number,
  kind: "stage" | "group" = "stage",
  stages: number[] = [stage],
): LedgerRow {
  const branch = kind === "stage" ? `okstra/${ISSUE}/s${stage}` : `okstra/${ISSUE}/group-${stages.join("-")}`;
  return {
    at: AT,
    run: "impl-1",
    status: "pr",
    stages,
    kind,
    branch,
    number,
    url: `https://github.com/o/r/pull/${number}`,
  };
}

export function verifiedRow(
  stage: number,
  verdict: "accepted" | "conditional-accept" | "blocked",
  head = sha(`s${stage}-head`),
): LedgerRow {
  return {
    at: AT,
    run: "verify-1",
    status: "verified",
    stage,
    verdict,
    reportPath: "runs/verify-1/report.md",
    headCommit: head,
  };
}

/** A task as `ledger.readTask` returns it, built from rows without a store (the GitHub tests need no git). */
export function taskFrom(rows: LedgerRow[], plan: Plan = validPlan(), carries: CarrySidecar[] = []): TaskLedger {
  const planStages = plan.stages.map((s) => ({ number: s.number, dependsOn: s.dependsOn, steps: s.steps }));
  const carryFiles = carries.map((carry) => ({ path: `tasks/${ISSUE}/carry/stage-${carry.stage}.json`, carry }));
  const state = deriveTaskState({ rows, plan, planStages, carries: carryFiles, now: T0 });
  return {
    issue: ISSUE,
    ledgerCommit: null,
    meta: taskMeta(ISSUE),
    rows,
    plan,
    planStages,
    carries: carryFiles,
    state,
    untrusted: [],
    unsigned: false,
  };
}

/** A real pino logger whose JSON lines land in `lines`. */
export function capturedLog(): { log: Logger; lines: () => Array<Record<string, unknown>> } {
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      raw.push(chunk.toString("utf8"));
      done();
    },
  });
  return {
    log: createLogger({ level: "info", destination }),
    lines: () =>
      raw
        .join("")
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
