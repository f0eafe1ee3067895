import type { Ledger, TaskLedger } from "../../ledger/index.js";
import type { Platform } from "../../platform/types.js";
import type { Logger } from "../../util/log.js";
import { taskPlan } from "../approved-task.js";
import { restackTask } from "./restack-task.js";

/**
 * After a person's push moved stage branches (SPEC §15.3: user edits and
 * reconciliation), their done dependents merge the new heads. Only moves
 * that changed content count (a rebase to the same tree changes nothing a
 * dependent needs), and nothing is cloned unless a done stage depends on a
 * moved one. A restack that cannot run is logged, never thrown: the moves
 * are recorded and their re-verification goes on. Returns the restacked stages.
 */
export async function restackAfterMoves(
  ports: { platform: Platform; ledger: Ledger },
  input: { issue: number; moved: readonly number[]; trigger: string; log: Logger; known?: TaskLedger },
): Promise<number[]> {
  if (input.moved.length === 0) return [];
  // The task the caller already read answers "does any done stage depend on a moved one?" without another ledger read.
  if (input.known && !dependentsOf(input.known, input.moved)) return [];
  try {
    const task = await ports.ledger.readTask(input.issue);
    const plan = task && taskPlan(task);
    if (!task || !plan || !dependentsOf(task, input.moved)) return [];
    const outcome = await restackTask(ports, {
      issue: input.issue,
      task,
      plan,
      trigger: input.trigger,
      log: input.log,
    });
    return outcome.restacked.map((r) => r.stage);
  } catch (error) {
    input.log.warn({ err: error }, "could not restack the dependents of moved stages");
    return [];
  }
}

/** Whether a done stage of the task depends on one of the moved stages. */
function dependentsOf(task: TaskLedger, moved: readonly number[]): boolean {
  const plan = taskPlan(task);
  if (!plan) return false;
  const done = new Set(task.state.stages.filter((s) => s.done).map((s) => s.stage));
  return plan.stages.some((s) => done.has(s.number) && s.dependsOn.some((d) => moved.includes(d)));
}
