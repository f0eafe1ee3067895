import type { Ledger } from "../../ledger/ledger.js";
import type { Platform } from "../../platform/types.js";
import type { Logger } from "../../util/log.js";
import { planSchema } from "../planning/plan-schema.js";
import { restackTask } from "./restack-task.js";

/**
 * After a person's push moved stage branches (SPEC §15.3: user edits and
 * reconciliation), their done dependents merge the new heads. Only moves
 * that changed content count (a rebase to the same tree changes nothing a
 * dependent needs), and nothing is cloned unless a done stage depends on a
 * moved one. A restack that cannot run is logged, never thrown: the moves
 * are recorded and their re-verification goes on. Returns the restacked stages.
 */
export async function restackAfterMoves(ports: { platform: Platform; ledger: Ledger }, input: { issue: number; moved: readonly number[]; trigger: string; log: Logger }): Promise<number[]> {
  if (input.moved.length === 0) return [];
  try {
    const task = await ports.ledger.readTask(input.issue);
    if (!task?.plan) return [];
    const plan = planSchema.parse(task.plan);
    const done = new Set(task.state.stages.filter((s) => s.done).map((s) => s.stage));
    if (!plan.stages.some((s) => done.has(s.number) && s.dependsOn.some((d) => input.moved.includes(d)))) return [];
    const outcome = await restackTask(ports, { issue: input.issue, task, plan, trigger: input.trigger, log: input.log });
    return outcome.restacked.map((r) => r.stage);
  } catch (error) {
    input.log.warn({ err: error }, "could not restack the dependents of moved stages");
    return [];
  }
}
