import { isPlanApproved, type TaskLedger } from "../ledger/index.js";
import { planSchema, type Plan } from "../plan/plan-schema.js";

/**
 * "Is there an approved plan to act on?" (SPEC §2 `/okstra approve`), asked
 * once for every phase that needs one: the task, its plan parsed, and the
 * commit implementation starts from — typed, never `!`-asserted.
 */

export interface ApprovedTask {
  task: TaskLedger;
  plan: Plan;
  /** The base branch's commit recorded at approval: where every stage without dependencies starts. */
  baseCommit: string;
}

/** No plan, or a plan not (or no longer) approved: what was wrong and what to type instead, for the reply. */
export class PlanNotApprovedError extends Error {
  constructor(
    readonly issue: number,
    readonly problem: string,
    readonly instead: string,
  ) {
    super(problem);
    this.name = "PlanNotApprovedError";
  }
}

/** How a refusal reads for the caller: `noPlan` finishes "#N has no plan yet…", `next` the command to type. */
export interface ApprovalWording {
  noPlan?: string;
  next?: string;
}

/** The plan of a task that has one, parsed; null before planning. */
export function taskPlan(task: Pick<TaskLedger, "plan">): Plan | null {
  return task.plan ? planSchema.parse(task.plan) : null;
}

/**
 * The task with its approved plan. `noPlan` finishes the sentence for a task
 * without a plan (", so it has no stages to ship"), `next` says what to type.
 */
export function approvedTask(task: TaskLedger | null, issue: number, options: ApprovalWording = {}): ApprovedTask {
  if (!task?.plan) {
    const instead = `Comment \`/okstra plan\`, then \`/okstra approve\`${options.next ?? ""}.`;
    throw new PlanNotApprovedError(issue, `#${issue} has no plan yet${options.noPlan ?? ""}.`, instead);
  }
  const baseCommit = task.meta.implementationBaseCommit;
  if (!isPlanApproved(task.rows, task.plan) || !baseCommit) {
    const problem = `plan v${task.meta.planVersion} of #${issue} is not approved.`;
    throw new PlanNotApprovedError(issue, problem, "Read the plan comment, then `/okstra approve`.");
  }
  return { task, plan: planSchema.parse(task.plan), baseCommit };
}

/** Reads the task and requires its approved plan (see `approvedTask`). */
export async function readApprovedTask(
  ledger: { readTask(issue: number): Promise<TaskLedger | null> },
  issue: number,
  options: ApprovalWording = {},
): Promise<ApprovedTask> {
  return approvedTask(await ledger.readTask(issue), issue, options);
}
