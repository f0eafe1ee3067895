import type { Plan } from "../../../plan/plan-schema.js";
import type { PlanValidation, ValidatePlanOptions, Violation } from "./violation.js";
import { checkDependencies, checkStageNumbers, checkStepCounts } from "./structure-checks.js";
import { buildStageGraph, independentPairs } from "./stage-graph.js";
import { checkAcyclic } from "./dag-check.js";
import { checkPaths } from "./path-check.js";
import { checkValidationCommands } from "./command-check.js";
import { checkParallelSafety } from "./parallel-safety.js";
import { checkVerticalSlice } from "./slice-check.js";
import { checkCoverage } from "./coverage-check.js";
import { cohesionHints } from "./cohesion-hint.js";

/**
 * The structural plan validator (SPEC §5.3), usable alone (`okstra
 * validate-plan`) and between the lead's fix rounds. It takes a plan that
 * already passed `planSchema` and runs every check, so one fix round sees
 * every problem at once rather than one per round:
 *
 *   S1 stage numbering (and the stage ceiling)   S6  read-only validation
 *   S2 steps per stage                           S9  parallel safety
 *   S3 dependsOn targets                         S10 vertical slice / TDD
 *   S4 acyclic                                   S11 requirement coverage
 *   S5 predicted paths                           S12 cohesion (warning)
 */
export function validatePlan(plan: Plan, options: ValidatePlanOptions): PlanValidation {
  const graph = buildStageGraph(plan.stages);
  const independent = independentPairs(graph);
  const violations: Violation[] = [
    ...checkStageNumbers(plan),
    ...checkStepCounts(plan, options.stageStepCap),
    ...checkDependencies(plan),
    ...checkAcyclic(graph),
    ...checkPaths(plan),
    ...checkValidationCommands(plan),
    ...checkParallelSafety(plan, independent),
    ...checkVerticalSlice(plan),
    ...checkCoverage(plan),
  ];
  const warnings = cohesionHints(plan, independent, options.stageStepCap);
  return { valid: violations.length === 0, violations, warnings };
}

export {
  formatViolation,
  type PlanValidation,
  type ValidatePlanOptions,
  type Violation,
  type CheckId,
} from "./violation.js";
export { MAX_STAGES } from "./structure-checks.js";
