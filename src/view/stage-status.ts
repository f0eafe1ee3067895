import type { StageState } from "../ledger/derive.js";

/**
 * One word per stage for the diagram's colour, from the ledger's derived
 * state (SPEC §4.1). A verdict only counts while it was given at the stage's
 * current head: a stale verdict shows the stage as merely done.
 */
export type StageStatus = "not-started" | "running" | "done" | "verified" | "conditional" | "blocked" | "failed";

export const STAGE_STATUS_LABEL: Record<StageStatus, string> = {
  "not-started": "not started",
  running: "running",
  done: "done",
  verified: "verified",
  conditional: "verified (conditional)",
  blocked: "verification blocked",
  failed: "failed",
};

export function stageStatus(state: StageState | undefined): StageStatus {
  if (!state) return "not-started";
  if (state.done) {
    if (state.verdict && state.verdictCurrent) {
      if (state.verdict.verdict === "accepted") return "verified";
      return state.verdict.verdict === "conditional-accept" ? "conditional" : "blocked";
    }
    return "done";
  }
  if (state.claim) return "running";
  const end = state.lastEnd?.status;
  if (end === "failed" || end === "abandoned") return "failed";
  return "not-started";
}
