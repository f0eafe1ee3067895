import { describe, expect, it } from "@jest/globals";
import type { Classification } from "../../src/engine/verification/classify.js";
import { ownChecks, type OwnChecks } from "../../src/engine/verification/own-checks.js";
import { stageVerdict } from "../../src/engine/verification/verdict.js";
import type { CarrySidecar } from "../../src/ledger/files.js";
import type { DoneRow, LedgerRow } from "../../src/ledger/rows.js";
import type { Finding } from "../../src/workers/results.js";

const HEAD = "a".repeat(40);
const BASE = "b".repeat(40);
const PASSED: OwnChecks = { stage: 2, failed: [], waived: [], passed: ["post `npm test` exited 0"] };

function judged(severity: Finding["severity"], classification: Classification, stage = 2) {
  return { id: `V1-F-${severity}`, stage, severity, classification, claim: `a ${severity} problem` };
}

function carry(overrides: Partial<CarrySidecar> = {}): CarrySidecar {
  return {
    stage: 2,
    taskKey: "issue-1",
    run: "impl-1",
    branch: "okstra/1/s2",
    stageCommitRange: { base: BASE, head: HEAD },
    commits: [{ sha: HEAD, subject: "feat(inventory): rows()" }],
    exposed: { files: ["src/inventory.js"], identifiers: ["Inventory#rows"], endpoints: [] },
    validation: [{ phase: "post", command: "npm test", exitCode: 0, durationMs: 300, outputTail: "# pass 8" }],
    outOfPlanEdits: [],
    placeholders: [],
    worker: { provider: "command" },
    status: "complete",
    ...overrides,
  };
}

const done: DoneRow = {
  at: "2026-01-01T00:00:00Z",
  run: "impl-1",
  status: "done",
  stage: 2,
  headCommit: HEAD,
  branch: "okstra/1/s2",
  carryPath: "tasks/1/carry/stage-2.json",
};
const stage = { number: 2, validation: { pre: [], mid: [], post: ["npm test"] } };

describe("the verdict on a stage", () => {
  it.each<[string, ReturnType<typeof judged>[]]>([
    ["no findings at all", []],
    ["only a nit everyone agrees on", [judged("nit", "full-consensus")]],
    ["a contested blocker", [judged("blocker", "contested")]],
  ])("is blocked when okstra's own checks failed, whatever the findings (%s)", (_, findings) => {
    const checks: OwnChecks = { ...PASSED, failed: ["post `npm test` exited 1"] };
    expect(stageVerdict({ stage: 2, checks, findings })).toEqual({
      stage: 2,
      verdict: "blocked",
      reasons: ["okstra's own check failed: post `npm test` exited 1"],
    });
  });

  it.each<[Finding["severity"], Classification]>([
    ["major", "full-consensus"],
    ["major", "partial-consensus"],
    ["blocker", "full-consensus"],
    ["blocker", "partial-consensus"],
  ])("is blocked by a %s finding that reached %s", (severity, classification) => {
    const verdict = stageVerdict({ stage: 2, checks: PASSED, findings: [judged(severity, classification)] });
    expect(verdict.verdict).toBe("blocked");
    expect(verdict.reasons).toEqual([`${severity} V1-F-${severity} (${classification}): a ${severity} problem`]);
  });

  it.each<Finding["severity"]>(["blocker", "major"])(
    "is conditional-accept when an uncontested worker-unique %s remains",
    (severity) => {
      const verdict = stageVerdict({
        stage: 2,
        checks: PASSED,
        findings: [judged(severity, "worker-unique"), judged("nit", "full-consensus")],
      });
      expect(verdict).toEqual({
        stage: 2,
        verdict: "conditional-accept",
        reasons: [`${severity} V1-F-${severity} (worker-unique): a ${severity} problem`],
      });
    },
  );

  it("is conditional-accept when a required check was waived", () => {
    const verdict = stageVerdict({
      stage: 2,
      checks: { ...PASSED, waived: ["validation.post `npm run lint` has no result in the carry"] },
      findings: [],
    });
    expect(verdict.verdict).toBe("conditional-accept");
  });

  it.each<[string, ReturnType<typeof judged>[]]>([
    ["minor and nit findings with consensus", [judged("minor", "full-consensus"), judged("nit", "partial-consensus")]],
    ["a worker-unique minor", [judged("minor", "worker-unique")]],
    ["contested blockers and majors", [judged("blocker", "contested"), judged("major", "contested")]],
    ["a consensus major about another stage", [judged("major", "full-consensus", 3)]],
  ])("is accepted with only %s", (_, findings) => {
    expect(stageVerdict({ stage: 2, checks: PASSED, findings }).verdict).toBe("accepted");
  });

  it("lets a blocking reason win over conditional ones", () => {
    const verdict = stageVerdict({
      stage: 2,
      checks: { ...PASSED, waived: ["a waiver"] },
      findings: [judged("major", "full-consensus"), judged("blocker", "worker-unique")],
    });
    expect(verdict.verdict).toBe("blocked");
  });
});

describe("okstra's own checks of a done stage", () => {
  it("passes a complete carry whose validation exited 0", () => {
    expect(ownChecks({ stage, carry: carry(), done, rows: [done] })).toEqual({
      stage: 2,
      failed: [],
      waived: [],
      passed: ["post `npm test` exited 0"],
    });
  });

  it("fails on a validation command that exited non-zero in the carry", () => {
    const checks = ownChecks({
      stage,
      carry: carry({
        validation: [{ phase: "post", command: "npm test", exitCode: 1, durationMs: 1, outputTail: "# fail 1" }],
      }),
      done,
      rows: [done],
    });
    expect(checks.failed).toEqual(["post `npm test` exited 1"]);
  });

  it("fails when a later attempt at the stage failed after the done being verified", () => {
    const failed: LedgerRow = {
      at: "2026-01-02T00:00:00Z",
      run: "impl-2",
      status: "failed",
      stage: 2,
      reason: "validation-failed",
      detail: "npm test exited 1",
    };
    expect(ownChecks({ stage, carry: carry(), done, rows: [done, failed] }).failed).toEqual([
      "a later attempt at stage 2 failed (run impl-2: validation-failed)",
    ]);
    // A failure before the done is history, not a check of this head.
    expect(ownChecks({ stage, carry: carry(), done, rows: [failed, done] }).failed).toEqual([]);
  });

  it("counts a required post command without a result, and a justified placeholder, as waived", () => {
    const checks = ownChecks({
      stage: { number: 2, validation: { pre: [], mid: [], post: ["npm test", "npm run lint"] } },
      carry: carry({
        placeholders: [{ path: "src/inventory.js", line: 30, text: "// TODO: currency", justified: true }],
      }),
      done,
      rows: [done],
    });
    expect(checks.waived).toEqual([
      "validation.post `npm run lint` has no result in the carry",
      "placeholder at src/inventory.js:30 kept, justified by the executor",
    ]);
    expect(checks.failed).toEqual([]);
  });
});
