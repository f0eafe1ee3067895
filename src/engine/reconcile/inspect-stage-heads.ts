import type { TaskLedger } from "../../ledger/index.js";
import type { Platform } from "../../platform/types.js";
import { classifyHeadChange, type StageHeadMove } from "./head-moves.js";

/**
 * Where each done stage's branch is now, against its effective `done`. Cost:
 * one ref read per done plan stage, plus one comparison (on GitHub one
 * request, two for a comparison of more than 250 commits) per branch that
 * moved — nothing more when no branch moved. Skipped:
 * - a stage claimed by a run: okstra pushes a stage branch before it records
 *   `done`, so a moved head under a live lease is okstra's own work in flight;
 * - a branch that no longer exists (deleted after its PR was merged): there
 *   is no new head to record, and ship refuses it on its own.
 */
export async function inspectStageHeads(platform: Platform, task: TaskLedger): Promise<StageHeadMove[]> {
  const planned = new Set(task.planStages?.map((s) => s.number) ?? []);
  const moves: StageHeadMove[] = [];
  for (const state of task.state.stages) {
    const done = state.done;
    if (!done || state.claim || !planned.has(state.stage)) continue;
    const head = await platform.getBranchHead(done.branch);
    if (head === null || head === done.headCommit) continue;
    const comparison = await platform.compareCommits(done.headCommit, head);
    moves.push({
      stage: state.stage,
      branch: done.branch,
      from: done.headCommit,
      to: head,
      change: classifyHeadChange(comparison),
      commits: comparison?.commits ?? [],
    });
  }
  return moves;
}
