import type { Verdict } from "../../ledger/index.js";
import type { Finding } from "../../workers/results.js";
import type { Classification } from "./classify.js";
import type { OwnChecks } from "./own-checks.js";

/**
 * The verdict on one stage (SPEC §9.4), pure:
 * - `blocked` if okstra's own checks failed for the stage — whatever the
 *   verifiers found — or a blocker/major finding reached full or partial consensus;
 * - `conditional-accept` if an uncontested worker-unique blocker/major remains
 *   (worker-unique is uncontested by definition), or a required check was waived;
 * - `accepted` otherwise: contested findings and minor/nit ones never block.
 * `reasons` says why, one line each, for the check run and the report.
 */

export interface StageVerdict {
  stage: number;
  verdict: Verdict;
  reasons: string[];
}

type JudgedFinding = Pick<Finding, "id" | "stage" | "severity" | "claim"> & { classification: Classification };

const SERIOUS: ReadonlySet<Finding["severity"]> = new Set(["blocker", "major"]);
const CONSENSUS: ReadonlySet<Classification> = new Set(["full-consensus", "partial-consensus"]);

export function stageVerdict(input: {
  stage: number;
  checks: OwnChecks;
  findings: readonly JudgedFinding[];
}): StageVerdict {
  const serious = input.findings.filter((f) => f.stage === input.stage && SERIOUS.has(f.severity));
  const agreed = serious.filter((f) => CONSENSUS.has(f.classification));
  const unique = serious.filter((f) => f.classification === "worker-unique");
  const describe = (f: JudgedFinding) => `${f.severity} ${f.id} (${f.classification}): ${f.claim}`;

  const blocking = [
    ...input.checks.failed.map((failure) => `okstra's own check failed: ${failure}`),
    ...agreed.map(describe),
  ];
  if (blocking.length > 0) return { stage: input.stage, verdict: "blocked", reasons: blocking };
  const conditions = [
    ...unique.map(describe),
    ...input.checks.waived.map((waiver) => `required check waived: ${waiver}`),
  ];
  if (conditions.length > 0) return { stage: input.stage, verdict: "conditional-accept", reasons: conditions };
  return {
    stage: input.stage,
    verdict: "accepted",
    reasons: ["okstra's own checks passed and no blocker or major finding stands"],
  };
}
