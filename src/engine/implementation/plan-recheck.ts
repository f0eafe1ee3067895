import { planDigest } from "../../plan/plan-digest.js";
import type { ImplementationRun } from "./implementation-run.js";

/**
 * Right before okstra runs a plan's validation commands (SPEC §14.5): is the
 * plan on the ledger still the one this run was started on, and still
 * approved? A plan changed or un-approved meanwhile — by okstra or by a push
 * to `okstra/ledger` — must not have its commands run under the old approval.
 * Returns why not, or null. State okstra did not write is not an answer but a
 * refusal: `readTask` throws LedgerUntrustedError, which ends the run and
 * names the commit.
 */
export async function approvedPlanProblem(run: Pick<ImplementationRun, "context" | "task">): Promise<string | null> {
  const issue = run.context.job.issueNumber;
  // The latest head, never the run's pinned one: a change made by anyone since must be seen here.
  const current = await run.context.services.ledger.readTask(issue, { latest: true });
  const started = planDigest(run.task.plan);
  if (!current?.plan) return `the plan of #${issue} is no longer on the ledger`;
  if (current.state.planDigest !== started)
    return `the plan of #${issue} changed since this run started (digest ${started.slice(0, 12)} → ${(current.state.planDigest ?? "").slice(0, 12)})`;
  if (!current.state.approval?.current)
    return `the plan of #${issue} (digest ${started.slice(0, 12)}) is no longer the approved one`;
  return null;
}
