import { describe, expect, it } from "@jest/globals";
import type { CarrySidecar } from "../../src/ledger/files.js";
import type { ValidationResult } from "../../src/engine/implementation/run-validation.js";
import { stagePhaseStatus, type StageOutcome } from "../../src/engine/implementation/stage-outcome.js";

const check = (command: string, exitCode: number): ValidationResult => ({
  phase: "post",
  command,
  exitCode,
  durationMs: 5,
  outputTail: "",
  timedOut: false,
});

const done: StageOutcome = {
  stage: 2,
  status: "done",
  branch: "okstra/7/s2",
  baseCommit: "a".repeat(40),
  headCommit: "0123456789abcdef0123456789abcdef01234567",
  carry: {} as CarrySidecar,
  validation: [check("npm test", 0), check("npm run lint", 0), check("npm run e2e", 1)],
};

describe("stagePhaseStatus", () => {
  it("says where a done stage's head is, how its validation went and what became of its PR", () => {
    expect(stagePhaseStatus(done, "PR [#12](https://x/pull/12) → `main`")).toEqual({
      state: "done",
      detail: "`0123456789ab` on `okstra/7/s2` · 2/3 validation commands passed · PR [#12](https://x/pull/12) → `main`",
    });
  });

  it("leaves the PR part out when nothing was published", () => {
    expect(stagePhaseStatus({ ...done, validation: [] }).detail).toBe(
      "`0123456789ab` on `okstra/7/s2` · 0/0 validation commands passed",
    );
  });

  it("gives a failed stage's reason and the first line of its detail only", () => {
    const failed: StageOutcome = {
      stage: 3,
      status: "failed",
      reason: "validation-failed",
      detail: "post `npm test` exited 1\n\nlong output tail",
      validation: [check("npm test", 1)],
      evidence: "long output tail",
    };
    expect(stagePhaseStatus(failed)).toEqual({
      state: "failed",
      detail: "validation-failed: post `npm test` exited 1",
    });
  });
});
