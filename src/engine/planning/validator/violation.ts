/**
 * What the plan validator (SPEC §5.3) reports. Every violation names its
 * check, the stage when there is one, and a one-line fix hint — the lead's
 * fix round and a human reading `okstra validate-plan` both act on the hint.
 */

/** S7 and S8 are unused: SPEC §5.3 keeps the original validator's numbering, which has no S7/S8 for plans. */
export const CHECK_IDS = ["S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8", "S9", "S10", "S11", "S12"] as const;
export type CheckId = (typeof CHECK_IDS)[number];

export interface Violation {
  check: CheckId;
  stage?: number;
  message: string;
  hint: string;
}

export interface ValidatePlanOptions {
  /** `planning.stageStepCap` from the repository config (default 6). */
  stageStepCap: number;
}

export interface PlanValidation {
  /** True when there are no violations; warnings never make a plan invalid. */
  valid: boolean;
  violations: Violation[];
  warnings: Violation[];
}

/** `S4 stage 2: … — hint: …`, the one-line form the CLI and fix rounds use. */
export function formatViolation(v: Violation): string {
  const where = v.stage === undefined ? "" : ` stage ${v.stage}`;
  return `${v.check}${where}: ${v.message} — hint: ${v.hint}`;
}
