import type { Plan, PlanStage } from "../../../plan/plan-schema.js";
import type { Violation } from "./violation.js";

/**
 * S5: the exit contract predicts at least one file, and every predicted path
 * (exit contract and step files alike — S9 compares both) is relative to the
 * repository root, stays inside it, and is not okstra's own `.okstra/` state.
 */
export function checkPaths(plan: Plan): Violation[] {
  const out: Violation[] = [];
  for (const stage of plan.stages) {
    if (stage.exitContract.files.length === 0) {
      out.push({
        check: "S5",
        stage: stage.number,
        message: "exitContract.files is empty",
        hint: "list the files this stage adds or changes (globs allowed, e.g. src/api/**)",
      });
    }
    for (const { where, path } of predictedPaths(stage)) {
      const problem = pathProblem(path);
      if (problem)
        out.push({
          check: "S5",
          stage: stage.number,
          message: `${where} "${path}" ${problem.what}`,
          hint: problem.hint,
        });
    }
  }
  return out;
}

function predictedPaths(stage: PlanStage): Array<{ where: string; path: string }> {
  return [
    ...stage.exitContract.files.map((path, i) => ({ where: `exitContract.files[${i}]`, path })),
    ...stage.steps.flatMap((step) => step.files.map((path) => ({ where: `step ${step.n} file`, path }))),
  ];
}

function pathProblem(path: string): { what: string; hint: string } | null {
  const relative = "write it relative to the repository root, e.g. src/index.ts";
  if (path.trim() === "") return { what: "is empty", hint: "remove it or name the file" };
  if (/^([/~]|[A-Za-z]:[\\/]|\\\\)/.test(path)) return { what: "is absolute", hint: relative };
  const segments = path.split(/[/\\]/);
  if (segments.includes("..")) return { what: "leaves the repository (`..`)", hint: relative };
  if (segments.includes(".okstra")) {
    return {
      what: "is inside .okstra/, okstra's own state",
      hint: "name the repository files the stage changes; okstra writes .okstra/ itself",
    };
  }
  return null;
}
