import type { Finding } from "../../workers/results.js";
import type { ConvergenceFinding } from "./converge.js";

/**
 * The findings of the independent review, ready for convergence: each gets
 * a run-wide id (`V2-F-1`: the second verifier's `F-1`), because every
 * verifier numbers its own from `F-1`. A finding about a stage this run does
 * not verify is set aside with the reason — it cannot change a verdict here.
 */

export interface VerifierFindings {
  /** The verifier's label, e.g. `verifier-2-openai`. */
  verifier: string;
  /** Its position in `workers.verifiers`, 0-based. */
  index: number;
  findings: readonly Finding[];
}

export interface IgnoredFinding {
  verifier: string;
  finding: Finding;
  reason: string;
}

export function collectFindings(
  results: readonly VerifierFindings[],
  stages: readonly number[],
): { findings: ConvergenceFinding[]; ignored: IgnoredFinding[] } {
  const verified = new Set(stages);
  const findings: ConvergenceFinding[] = [];
  const ignored: IgnoredFinding[] = [];
  const taken = new Set<string>();
  for (const { verifier, index, findings: reported } of results) {
    for (const finding of reported) {
      if (!verified.has(finding.stage)) {
        ignored.push({
          verifier,
          finding,
          reason: `stage ${finding.stage} is not verified in this run (stages ${stages.join(", ")})`,
        });
        continue;
      }
      let id = `V${index + 1}-${finding.id}`;
      for (let n = 2; taken.has(id); n++) id = `V${index + 1}-${finding.id}-${n}`;
      taken.add(id);
      findings.push({ ...finding, id, sourceId: finding.id, author: verifier });
    }
  }
  return { findings, ignored };
}
