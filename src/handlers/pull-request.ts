import type { Context } from "probot";
import { parseOkstraBranch } from "../engine/pull-requests/branch-names.js";
import { eventJobBase } from "./event-job.js";
import type { JobQueue, PullRequestClosedJob, StageBranchMovedJob } from "../queue/types.js";

/**
 * `pull_request.closed`: authenticate → parse → de-duplicate → enqueue, like
 * every handler (no API call here). Only merged PRs that okstra opened
 * matter: head on an `okstra/<N>/…` branch of this repository (not a fork's),
 * opened by a bot. The job confirms against the ledger; closed-unmerged PRs
 * and everyone else's PRs are not queued at all.
 */
export function pullRequestClosed(queue: JobQueue) {
  return async (context: Context<"pull_request.closed">): Promise<void> => {
    const { pull_request: pr, repository } = context.payload;
    if (!pr.merged) return;
    const branch = parseOkstraBranch(pr.head.ref);
    if (!branch) return;
    if (pr.head.repo?.full_name !== repository.full_name || pr.user?.type !== "Bot") return;

    const job: PullRequestClosedJob = {
      kind: "pull-request-closed",
      ...eventJobBase(context),
      issueNumber: branch.task,
      pullRequest: { number: pr.number, head: pr.head.ref, base: pr.base.ref, merged: true },
    };
    const queued = await queue.enqueue(job);
    context.log.info(
      { task: branch.task, pr: pr.number, queued },
      queued ? "merged okstra PR queued" : "duplicate delivery ignored",
    );
  };
}

/**
 * `pull_request.synchronize`: the head branch of a PR got new commits (a
 * push on top, a rebase, a force-push). Only a stage branch `okstra/<N>/s<S>`
 * of this repository matters — whoever opened the PR and whoever pushed:
 * a person, another bot (an autofix commit) or okstra itself, which the job
 * tells apart from the ledger (okstra's own push finds its stage claimed or
 * its head already recorded). A fork's branch of the same name is not
 * okstra's. No API call here; the job re-reads the branches and the ledger.
 */
export function pullRequestSynchronize(queue: JobQueue) {
  return async (context: Context<"pull_request.synchronize">): Promise<void> => {
    const { pull_request: pr, repository, sender } = context.payload;
    const branch = parseOkstraBranch(pr.head.ref);
    if (branch?.kind !== "stage") return;
    if (pr.head.repo?.full_name !== repository.full_name) return;

    const job: StageBranchMovedJob = {
      kind: "stage-branch-moved",
      ...eventJobBase(context),
      issueNumber: branch.task,
      stage: branch.stage,
      pullRequest: {
        number: pr.number,
        head: pr.head.ref,
        before: context.payload.before,
        after: context.payload.after,
      },
      sender: sender.login,
    };
    const queued = await queue.enqueue(job);
    context.log.info(
      { task: branch.task, stage: branch.stage, pr: pr.number, queued },
      queued ? "stage branch move queued" : "duplicate delivery ignored",
    );
  };
}
