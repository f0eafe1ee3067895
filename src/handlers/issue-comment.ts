import type { Context } from "probot";
import { isOkstraCommand } from "../commands/parse.js";
import type { CommandJob, JobQueue } from "../queue/types.js";
import { eventJobBase, isBotComment } from "./event-job.js";

/**
 * `issue_comment.created`: authenticate → parse → de-duplicate → enqueue.
 * Probot has already verified the webhook signature. No GitHub API call is
 * made here, so the webhook is answered within GitHub's 10-second budget even
 * when the API is slow; the job does the rest.
 */
export function issueCommentCreated(queue: JobQueue) {
  return async (context: Context<"issue_comment.created">): Promise<void> => {
    const { comment, issue } = context.payload;
    if (isBotComment(context, comment.user)) return;
    if (!isOkstraCommand(comment.body ?? "")) return;

    const job: CommandJob = {
      ...eventJobBase(context),
      issueNumber: issue.number,
      isPullRequest: Boolean(issue.pull_request),
      comment: { id: comment.id, body: comment.body, author: comment.user?.login ?? "", createdAt: comment.created_at },
      // The body at the trigger: an edit after the command must not reach the workers (SPEC §2). On a PR
      // (okstra's stage or group PR) the task is another issue, which the job reads itself.
      ...(issue.pull_request
        ? {}
        : { issue: { title: issue.title, body: issue.body ?? "", author: issue.user?.login ?? "ghost" } }),
    };
    const queued = await queue.enqueue(job);
    context.log.info(
      { task: issue.number, comment: comment.id, queued },
      queued ? "command queued" : "duplicate delivery ignored",
    );
  };
}
