import type { Plan } from "../../../plan/plan-schema.js";
import type { Violation } from "./violation.js";
import { isGlob } from "./glob-overlap.js";
import { predictedFiles } from "./predicted-files.js";

/**
 * S12 (warning only): the planning rule is "group by file/module proximity;
 * parallelism is never a reason to split". Two independent stages working in
 * one directory that would fit the step cap together are probably a split
 * made for parallelism. It stays a warning: disjoint files in one directory
 * can be a legitimate split.
 */
export function cohesionHints(plan: Plan, independent: Array<[number, number]>, stageStepCap: number): Violation[] {
  const byNumber = new Map(plan.stages.map((s) => [s.number, s]));
  const out: Violation[] = [];
  for (const [a, b] of independent) {
    const left = byNumber.get(a)!;
    const right = byNumber.get(b)!;
    const steps = left.steps.length + right.steps.length;
    if (steps > stageStepCap) continue;
    const rightDirs = directories(predictedFiles(right));
    const shared = [...directories(predictedFiles(left))].filter((d) => rightDirs.has(d));
    if (shared.length === 0) continue;
    out.push({
      check: "S12",
      stage: a,
      message: `stages ${a} and ${b} are independent, both work in ${shared.map(show).join(", ")} and together have ${steps} steps (cap ${stageStepCap})`,
      hint: `consider merging them into one stage: work in one directory reviews and rolls back as one unit`,
    });
  }
  return out;
}

/** The fixed directory part of each path: `src/api/**` and `src/api/x.ts` are both in `src/api`. */
function directories(paths: string[]): Set<string> {
  const dirs = new Set<string>();
  for (const path of paths) {
    const segments = path.split("/");
    const firstGlob = segments.findIndex(isGlob);
    const fixed = firstGlob < 0 ? segments.slice(0, -1) : segments.slice(0, firstGlob);
    dirs.add(fixed.join("/"));
  }
  return dirs;
}

function show(dir: string): string {
  return dir === "" ? "the repository root" : `${dir}/`;
}
