import type { CarrySidecar } from "../../ledger/index.js";
import { firstLine } from "../../util/text.js";
import type { StepState } from "../run/run-state.js";
import type { ValidationResult } from "./run-validation.js";

/** How one stage of a batch ended. `failed` is retryable; the batch goes on with stages that do not depend on it. */
export type StageOutcome =
  | {
      stage: number;
      status: "done";
      branch: string;
      baseCommit: string;
      headCommit: string;
      carry: CarrySidecar;
      validation: ValidationResult[];
    }
  | {
      stage: number;
      status: "failed";
      reason: string;
      detail: string;
      validation: ValidationResult[];
      evidence?: string;
    };

export type FailedStage = Extract<StageOutcome, { status: "failed" }>;

/**
 * The status comment's line for one stage, from its outcome alone: where a done
 * stage's head is, how its validation went and what became of its PR
 * (`published`, the publish step's own words); why a failed stage failed.
 */
export function stagePhaseStatus(
  outcome: StageOutcome,
  published?: string,
): { state: Extract<StepState, "done" | "failed">; detail: string } {
  if (outcome.status === "failed")
    return { state: "failed", detail: `${outcome.reason}: ${firstLine(outcome.detail)}` };
  const passed = outcome.validation.filter((v) => v.exitCode === 0).length;
  const parts = [
    `\`${outcome.headCommit.slice(0, 12)}\` on \`${outcome.branch}\``,
    `${passed}/${outcome.validation.length} validation commands passed`,
    ...(published ? [published] : []),
  ];
  return { state: "done", detail: parts.join(" · ") };
}

/** The ledger row of a failed stage; the detail is capped so one row stays small. */
export function failedRow(run: string, outcome: FailedStage) {
  return {
    run,
    status: "failed" as const,
    stage: outcome.stage,
    reason: outcome.reason,
    detail: outcome.detail.slice(0, 8_000),
  };
}
