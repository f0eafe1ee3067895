import type { RunManifest, ShipPreflight, TaskLedger } from "../../ledger/index.js";
import type { Plan } from "../../plan/plan-schema.js";
import type { RunWorkers } from "../run/invoke-worker.js";
import type { ConvergenceResult } from "./converge.js";
import type { IgnoredFinding } from "./findings.js";
import type { VerificationSubject } from "./review-context.js";
import type { StageCheckRuns } from "./stage-check-runs.js";
import type { VerificationTrigger } from "./start-verification.js";
import type { StageVerdict } from "./verdict.js";
import type { VerificationContext } from "./verification-context.js";
import type { VerificationDisplay } from "./verification-display.js";

/** What the caller asks of a verification run: the stages (with their evidence) and why. */
export interface VerificationRequest {
  task: TaskLedger;
  plan: Plan;
  subjects: VerificationSubject[];
  trigger: VerificationTrigger;
  /** autoVerify: report on the implementation's status comment. */
  embedded: boolean;
}

/** One verification run in progress: what its steps share. */
export interface VerificationRun {
  context: VerificationContext;
  request: VerificationRequest;
  manifest: RunManifest;
  workers: RunWorkers;
  checkRuns: StageCheckRuns;
  display: VerificationDisplay;
}

/** What a run found, before it is recorded and published. */
export interface VerificationFindings {
  convergence: ConvergenceResult;
  ignored: IgnoredFinding[];
  verdicts: StageVerdict[];
  /** Why no verdict was given, when none was. */
  noVerdict?: string;
  /** Things that went wrong without stopping the run, for the report and the status. */
  notes: string[];
  /** Whether the task's accepted stages merge together, once this run's verdicts count (absent without verdicts). */
  preflight?: ShipPreflight;
}

export function noVerdict(reason: string, partial: Partial<VerificationFindings> = {}): VerificationFindings {
  return {
    convergence: { findings: [], rounds: [], skippedWorkers: [] },
    ignored: [],
    verdicts: [],
    notes: [],
    ...partial,
    noVerdict: reason,
  };
}
