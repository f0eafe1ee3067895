import { readFile } from "node:fs/promises";
import { defaultConfig } from "../config/schema.js";
import { planSchema } from "../plan/plan-schema.js";
import { formatViolation, validatePlan } from "../engine/planning/validator/validate-plan.js";

/** Structurally the CLI's `CliIo`; kept local so this command has no dependency on the CLI entry. */
export interface ValidatePlanIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

export interface ValidatePlanCliOptions {
  /** Defaults to the config default (6), the cap a repository without okstra.yml gets. */
  stageStepCap?: number;
}

/**
 * `okstra validate-plan FILE` (SPEC §5.3). Exit codes, so scripts can tell a
 * bad plan from a bad invocation:
 *   0  the plan is valid (warnings, if any, are printed)
 *   1  the plan breaks one or more checks, one line each
 *   2  the file is missing, unreadable, not JSON, or not shaped like a plan
 */
export async function runValidatePlan(
  file: string,
  io: ValidatePlanIo,
  options: ValidatePlanCliOptions = {},
): Promise<number> {
  let raw: string;
  try {
    raw = await readFile(file, "utf8");
  } catch (error) {
    io.stderr(`okstra validate-plan: cannot read ${file}: ${(error as Error).message}\n`);
    return 2;
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    io.stderr(`okstra validate-plan: ${file} is not JSON: ${(error as Error).message}\n`);
    return 2;
  }
  const parsed = planSchema.safeParse(json);
  if (!parsed.success) {
    io.stderr(`okstra validate-plan: ${file} is not a plan:\n`);
    for (const issue of parsed.error.issues)
      io.stderr(`  ${issue.path.map(String).join(".") || "(root)"}: ${issue.message}\n`);
    return 2;
  }

  const stageStepCap = options.stageStepCap ?? defaultConfig().planning.stageStepCap;
  const result = validatePlan(parsed.data, { stageStepCap });
  for (const violation of result.violations) io.stdout(`${formatViolation(violation)}\n`);
  for (const warning of result.warnings) io.stdout(`warning ${formatViolation(warning)}\n`);
  const stages = parsed.data.stages.length;
  if (!result.valid) {
    io.stdout(
      `${file}: ${plural(result.violations.length, "violation")}, ${plural(result.warnings.length, "warning")}\n`,
    );
    return 1;
  }
  io.stdout(`${file}: valid plan, ${plural(stages, "stage")}, ${plural(result.warnings.length, "warning")}\n`);
  return 0;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
