import type { CommentInfo, Platform, ReactionContent } from "../../platform/types.js";
import type { CommandJob } from "../../jobs/types.js";

/**
 * Where okstra answers a command: the conversation it was written in (SPEC
 * §15.1). An issue or PR conversation comment is answered with a comment
 * there; an inline review comment is answered in its review thread. The 👀,
 * the refusals and the run status comment all go through one channel.
 */
export interface ReplyChannel {
  post(body: string): Promise<CommentInfo>;
  edit(commentId: number, body: string): Promise<void>;
  /** A reaction on the command's own comment. */
  react(content: ReactionContent): Promise<void>;
}

export function replyChannel(
  platform: Platform,
  job: Pick<CommandJob, "issueNumber" | "comment" | "reviewComment">,
): ReplyChannel {
  if (job.reviewComment) {
    return {
      post: (body) => platform.replyToReviewComment(job.issueNumber, job.reviewComment!.threadRoot, body),
      edit: (commentId, body) => platform.updateReviewComment(commentId, body),
      react: (content) => platform.addReviewCommentReaction(job.comment.id, content),
    };
  }
  return issueChannel(platform, job.issueNumber, job.comment.id);
}

/** The conversation of issue (or pull request) `number`; `commandId` is the comment reactions go on, if any. */
export function issueChannel(platform: Platform, number: number, commandId?: number): ReplyChannel {
  return {
    post: (body) => platform.createComment(number, body),
    edit: (commentId, body) => platform.updateComment(commentId, body),
    react: async (content) => {
      if (commandId !== undefined) await platform.addReaction(commandId, content);
    },
  };
}
