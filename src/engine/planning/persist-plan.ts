import { persistPlanMutation, type Ledger, type PersistedPlan, type PlanVersionBuilder } from "../../ledger/index.js";

/**
 * Saves a plan and its run in one ledger commit (SPEC §4): the previous
 * `plan.json` is kept as `plan.v<k>.json`, the new one takes version k+1,
 * `plan.md` is rendered from it, `task.json` records the version, and the
 * run's own files land with it. A lost race re-applies on the new head, so
 * two planning runs can never both claim one version number.
 */
export async function persistPlan(
  ledger: Ledger,
  issue: number,
  build: PlanVersionBuilder,
  now: Date = new Date(),
): Promise<PersistedPlan> {
  return (await ledger.mutate(persistPlanMutation(issue, build, now))).value;
}
