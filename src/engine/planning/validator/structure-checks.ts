import type { Plan } from "../../../plan/plan-schema.js";
import type { Violation } from "./violation.js";

/**
 * Why a ceiling on stages: a plan exists to be read and approved by a
 * maintainer. Twenty stages of up to six steps each is already well over a
 * hundred plan items to review; an issue that needs more is several issues,
 * and planning them separately gives reviewable plans and smaller PR chains.
 */
export const MAX_STAGES = 20;

/** S1: stage numbers are 1..n, unique and contiguous — and n is reviewable. */
export function checkStageNumbers(plan: Plan): Violation[] {
  const n = plan.stages.length;
  if (n === 0) {
    return [{ check: "S1", message: "the plan has no stages", hint: "add at least one stage, numbered 1" }];
  }
  const out: Violation[] = [];
  if (n > MAX_STAGES) {
    out.push({
      check: "S1",
      message: `the plan has ${n} stages; the limit is ${MAX_STAGES}, the most a maintainer can review as one plan`,
      hint: "merge stages that touch the same files, or split the issue into separate issues and plan each",
    });
  }
  const renumber = `renumber the stages 1..${n} in order, with no gaps or repeats`;
  const seen = new Set<number>();
  for (const stage of plan.stages) {
    if (stage.number < 1 || stage.number > n) {
      out.push({
        check: "S1",
        stage: stage.number,
        message: `stage number ${stage.number} is outside 1..${n}`,
        hint: renumber,
      });
    } else if (seen.has(stage.number)) {
      out.push({
        check: "S1",
        stage: stage.number,
        message: `stage number ${stage.number} is used more than once`,
        hint: renumber,
      });
    }
    seen.add(stage.number);
  }
  return out;
}

/** S2: each stage has 1..stageStepCap steps, numbered 1..k (plan items are addressed as `P-<stage>.<n>`). */
export function checkStepCounts(plan: Plan, stageStepCap: number): Violation[] {
  const out: Violation[] = [];
  for (const stage of plan.stages) {
    const count = stage.steps.length;
    if (count === 0) {
      out.push({
        check: "S2",
        stage: stage.number,
        message: "the stage has no steps",
        hint: "add the RED/GREEN/REFACTOR steps that deliver this stage, or remove it",
      });
      continue;
    }
    if (count > stageStepCap) {
      out.push({
        check: "S2",
        stage: stage.number,
        message: `the stage has ${count} steps; the cap is ${stageStepCap}`,
        hint: "split it into two stages along a real data dependency, or merge steps that edit the same file",
      });
    }
    const numbers = stage.steps.map((s) => s.n);
    if (numbers.some((value, i) => value !== i + 1)) {
      out.push({
        check: "S2",
        stage: stage.number,
        message: `steps are numbered ${numbers.join(", ")}; expected 1..${count} in order`,
        hint: `number the steps 1..${count} in the order they run`,
      });
    }
  }
  return out;
}

/** S3: `dependsOn` names existing stages and never the stage itself. */
export function checkDependencies(plan: Plan): Violation[] {
  const known = new Set(plan.stages.map((s) => s.number));
  const out: Violation[] = [];
  for (const stage of plan.stages) {
    for (const dep of stage.dependsOn) {
      if (dep === stage.number) {
        out.push({
          check: "S3",
          stage: stage.number,
          message: "the stage depends on itself",
          hint: `remove ${dep} from its dependsOn`,
        });
      } else if (!known.has(dep)) {
        out.push({
          check: "S3",
          stage: stage.number,
          message: `depends on stage ${dep}, which does not exist`,
          hint: `remove ${dep} from dependsOn or add the stage it meant`,
        });
      }
    }
  }
  return out;
}
