import type { Context } from "probot";
import { isOkstraCommand } from "../commands/parse.js";
import type { CommandJob, JobQueue } from "../queue/types.js";
import { eventJobBase, isBotComment } from "./event-job.js";

/**
 * `pull_request_review_comment.created`: an inline review comment that is a
 * command (SPEC §2, §15.1). Authenticate → parse → de-duplicate → enqueue,
 * like an issue comment; the job carries the file and line, and the engine
 * answers in the comment's thread. Edits and deletions never trigger.
 */
export function reviewCommentCreated(queue: JobQueue) {
  return async (context: Context<"pull_request_review_comment.created">): Promise<void> => {
    const { comment, pull_request: pull } = context.payload;
    if (isBotComment(context, comment.user)) return;
    if (!isOkstraCommand(comment.body ?? "")) return;

    const job: CommandJob = {
      ...eventJobBase(context),
      issueNumber: pull.number,
      isPullRequest: true,
      comment: { id: comment.id, body: comment.body, author: comment.user?.login ?? "", createdAt: comment.created_at },
      reviewComment: {
        path: comment.path,
        line: comment.line ?? null,
        threadRoot: comment.in_reply_to_id ?? comment.id,
      },
    };
    const queued = await queue.enqueue(job);
    context.log.info(
      { pr: pull.number, reviewComment: comment.id, queued },
      queued ? "command queued" : "duplicate delivery ignored",
    );
  };
}
