import type { Ledger, PrRow, TaskLedger } from "../../ledger/index.js";
import type { Platform } from "../../platform/types.js";
import { groupMergedCommentMarker, renderGroupMergedComment } from "../../render/group-pr-body.js";
import type { OkstraMetrics } from "../../server/metrics.js";
import type { Logger } from "../../util/log.js";
import { refreshStackBlocks } from "../pull-requests/stage-prs.js";
import { planSchema } from "../../plan/plan-schema.js";
import { settleDependentsAfterMerge } from "../pull-requests/after-merge.js";
import { ledgerStacksMemory } from "../pull-requests/stacks-memory.js";
import { countRun } from "../run/run-metrics.js";
import { parseOkstraBranch, stageBranch, type OkstraBranch } from "../pull-requests/branch-names.js";

/**
 * A pull request was closed (SPEC §7.1, §7.2). For a merged PR on one of
 * okstra's branches, in this order:
 *   1. retarget every open PR based on the merged branch — and, for a group
 *      PR, on each of its stage branches — to the merged PR's base, before
 *      anything else: a base branch that disappears (deleted by hand or by
 *      "automatically delete head branches") closes its dependent PRs for
 *      good. okstra itself never deletes a branch;
 *   2. confirm from the ledger that okstra opened the PR; stop if not;
 *   3. for a group PR, close each of its still-open stage PRs with a comment
 *      linking the group PR (see `settleShippedStagePrs`);
 *   4. for a stage PR merged by squash or rebase, replay its dependents' own
 *      commits onto their new bases (`settleDependentsAfterMerge`, §15.4);
 *   5. refresh the navigation blocks of the task's stage PRs.
 * A PR closed without being merged changes nothing.
 */

export interface ClosedPullRequest {
  number: number;
  head: string;
  base: string;
  merged: boolean;
}

export interface PullRequestClosedOutcome {
  action: "ignored" | "handled";
  reason?: string;
  /** `[pr, from, to]` for each retargeted PR, in the order it was done. */
  retargeted: Array<[number, string, string]>;
  /** Stage PRs of a merged group that okstra closed. */
  closed: number[];
  /** Stage PRs of a merged group that were told so (closed by okstra, or already marked merged by the platform). */
  noted: number[];
}

export async function onPullRequestClosed(
  pr: ClosedPullRequest,
  services: { platform: Platform; ledger: Ledger; log: Logger; metrics?: OkstraMetrics },
): Promise<PullRequestClosedOutcome> {
  // Counted once as phase `pull-request-closed`: `carried-out` when handled, `ignored` when okstra had nothing to do.
  return countRun(
    services.metrics,
    "pull-request-closed",
    () => settleClosedPullRequest(pr, services),
    (outcome) => (outcome.action === "handled" ? "carried-out" : "ignored"),
  );
}

async function settleClosedPullRequest(
  pr: ClosedPullRequest,
  services: { platform: Platform; ledger: Ledger; log: Logger },
): Promise<PullRequestClosedOutcome> {
  const { platform, ledger, log } = services;
  const ignored = (reason: string): PullRequestClosedOutcome => ({
    action: "ignored",
    reason,
    retargeted: [],
    closed: [],
    noted: [],
  });
  if (!pr.merged) return ignored("closed without merging");
  const branch = parseOkstraBranch(pr.head);
  if (!branch) return ignored("not an okstra branch");

  // 1. Retarget first.
  const retargeted = await retargetDependents(platform, mergedBranches(pr.head, branch), pr.base, log);

  // 2. Only PRs okstra recorded.
  const task = await ledger.readTask(branch.task);
  const row = task?.rows.filter((r): r is PrRow => r.status === "pr" && r.number === pr.number).at(-1);
  if (!task || !row) {
    log.info({ pr: pr.number, head: pr.head }, "merged PR is not one okstra recorded; only retargeted its dependents");
    return { action: "ignored", reason: "not opened by okstra", retargeted, closed: [], noted: [] };
  }

  // 3. A merged group closes its stage PRs.
  const { closed, noted } =
    row.kind === "group" ? await settleShippedStagePrs(platform, task, row, pr.base, log) : { closed: [], noted: [] };

  // 4. A stage merged by squash or rebase: its dependents' own commits go onto their new bases (§15.4).
  let current = task;
  if (row.kind === "stage" && task.plan) {
    const replay = await settleDependentsAfterMerge(
      { platform, ledger },
      { task, plan: planSchema.parse(task.plan), stage: row.stages[0]!, log },
    );
    if (replay && (replay.replayed.length > 0 || replay.conflicts.length > 0))
      current = (await ledger.readTask(branch.task)) ?? task;
  }

  // 5. Navigation blocks.
  if (current.plan)
    await refreshStackBlocks({
      platform,
      task: current,
      plan: planSchema.parse(current.plan),
      log,
      stacks: ledgerStacksMemory(ledger),
    });
  log.info({ pr: pr.number, kind: row.kind, retargeted: retargeted.length, closed }, "merged okstra PR handled");
  return { action: "handled", retargeted, closed, noted };
}

/** The merged branch, and for a group the stage branches it brought in: their work is in the base now. */
function mergedBranches(head: string, branch: OkstraBranch): string[] {
  if (branch.kind === "stage") return [head];
  return [head, ...branch.stages.map((stage) => stageBranch(branch.task, stage))];
}

async function retargetDependents(
  platform: Platform,
  branches: readonly string[],
  to: string,
  log: Logger,
): Promise<Array<[number, string, string]>> {
  const done: Array<[number, string, string]> = [];
  for (const from of branches) {
    for (const dependent of await platform.listOpenPullRequests({ base: from })) {
      await platform.updatePullRequest(dependent.number, { base: to });
      log.info({ pr: dependent.number, from, to }, "PR retargeted off a merged branch");
      done.push([dependent.number, from, to]);
    }
  }
  return done;
}

/**
 * Each stage PR of a merged group: closed with a comment linking the group
 * PR. GitHub itself marks a PR merged once its head's commits reach its base,
 * which a group merge often does; such a PR only gets the comment. A comment
 * is found by its marker before it is posted, so a redelivered event adds none.
 */
async function settleShippedStagePrs(
  platform: Platform,
  task: TaskLedger,
  group: PrRow,
  base: string,
  log: Logger,
): Promise<{ closed: number[]; noted: number[] }> {
  const closed: number[] = [];
  const noted: number[] = [];
  for (const stage of group.stages) {
    const stageRow = task.state.stages
      .find((s) => s.stage === stage)
      ?.prs.filter((r) => r.kind === "stage")
      .at(-1);
    if (!stageRow) continue;
    const stagePr = await platform.getPullRequest(stageRow.number);
    if (stagePr.state !== "open" && !stagePr.merged) continue;
    const marker = groupMergedCommentMarker(group.number);
    const comments = await platform.listIssueComments(stagePr.number);
    const closing = stagePr.state === "open";
    if (!comments.some((c) => c.body.includes(marker)))
      await platform.createComment(stagePr.number, renderGroupMergedComment({ group: group.number, base, closing }));
    noted.push(stagePr.number);
    if (closing) {
      await platform.updatePullRequest(stagePr.number, { state: "closed" });
      closed.push(stagePr.number);
    }
  }
  log.info({ group: group.number, closed, noted }, "stage PRs of a merged group settled");
  return { closed, noted };
}
