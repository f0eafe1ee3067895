import type { CarrySidecar, DoneRow, FailedRow, LedgerRow } from "../../ledger/index.js";
import type { PlanStage } from "../../plan/plan-schema.js";

/**
 * okstra's own checks of a done stage, as verification counts them (SPEC
 * §9.4), from the evidence alone — never from what a worker says:
 * - **failed**: a validation command the carry recorded exited non-zero, the
 *   carry is not complete, or a later attempt at the stage failed after the
 *   `done` being verified;
 * - **waived**: a required check that did not hold but was let through — a
 *   `validation.post` command of the plan that the carry has no result for,
 *   or a placeholder the executor justified instead of removing;
 * - **passed**: every validation command that exited 0.
 * Pure; the caller reads the plan, the carry and the rows.
 */

export interface OwnChecks {
  stage: number;
  failed: string[];
  waived: string[];
  passed: string[];
}

interface CarryPlaceholder {
  path: string;
  line: number;
  text?: string;
  justified: boolean;
}

function isPlaceholder(value: unknown): value is CarryPlaceholder {
  const p = value as Partial<CarryPlaceholder> | null;
  return (
    typeof p === "object" &&
    p !== null &&
    typeof p.path === "string" &&
    typeof p.line === "number" &&
    typeof p.justified === "boolean"
  );
}

export function ownChecks(input: {
  stage: Pick<PlanStage, "number" | "validation">;
  carry: CarrySidecar;
  done: DoneRow;
  /** The task's effective rows, in ledger order. */
  rows: readonly LedgerRow[];
}): OwnChecks {
  const { carry } = input;
  const failed: string[] = [];
  const waived: string[] = [];
  const passed: string[] = [];

  if (carry.status !== "complete") failed.push(`the carry of stage ${carry.stage} is ${carry.status}, not complete`);
  for (const result of carry.validation) {
    const line = `${result.phase} \`${result.command}\``;
    if (result.exitCode === 0) passed.push(`${line} exited 0`);
    else failed.push(`${line} exited ${result.exitCode}`);
  }
  const laterFailure = failureAfter(input.rows, input.done);
  if (laterFailure)
    failed.push(
      `a later attempt at stage ${laterFailure.stage} failed (run ${laterFailure.run}: ${laterFailure.reason})`,
    );

  const ran = new Set(carry.validation.filter((v) => v.phase === "post").map((v) => v.command));
  for (const command of input.stage.validation.post)
    if (!ran.has(command)) waived.push(`validation.post \`${command}\` has no result in the carry`);
  for (const placeholder of carry.placeholders.filter(isPlaceholder)) {
    if (placeholder.justified)
      waived.push(`placeholder at ${placeholder.path}:${placeholder.line} kept, justified by the executor`);
  }
  return { stage: carry.stage, failed, waived, passed };
}

/** The stage's last `failed` row when it comes after the `done` being verified. */
function failureAfter(rows: readonly LedgerRow[], done: DoneRow): FailedRow | null {
  const doneIndex = rows.indexOf(done);
  for (let i = rows.length - 1; i > doneIndex; i--) {
    const row = rows[i]!;
    if (row.status === "failed" && row.stage === done.stage) return row;
  }
  return null;
}
