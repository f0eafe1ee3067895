import type { Plan } from "../../../plan/plan-schema.js";
import type { Violation } from "./violation.js";
import { globsOverlap } from "./glob-overlap.js";
import { predictedFiles } from "./predicted-files.js";

/**
 * S9: stages with no path between them may run in the same batch, each in its
 * own clone; if both edit one file their branches conflict. The prediction is
 * best-effort — the stage lease and per-stage branches remain the backstop —
 * but a plan that already predicts a clash is wrong on paper.
 */
export function checkParallelSafety(plan: Plan, independent: Array<[number, number]>): Violation[] {
  const files = new Map(plan.stages.map((s) => [s.number, predictedFiles(s)]));
  const out: Violation[] = [];
  for (const [a, b] of independent) {
    const clashes: string[] = [];
    for (const left of files.get(a) ?? []) {
      for (const right of files.get(b) ?? []) {
        if (globsOverlap(left, right)) clashes.push(left === right ? left : `${left} ↔ ${right}`);
      }
    }
    if (clashes.length === 0) continue;
    out.push({
      check: "S9",
      stage: a,
      message: `stages ${a} and ${b} can run in parallel but both touch ${clashes.join(", ")}`,
      hint: `put the shared work in one stage, or add ${a} to stage ${b}'s dependsOn if it needs stage ${a}'s result`,
    });
  }
  return out;
}
