import type { CommentInfo, Platform, ReviewCommentInfo } from "../types.js";
import { LocalPlatformError } from "./errors.js";
import { fileUrl } from "./records.js";
import {
  addLocalReviewComment,
  addLocalReviewReaction,
  localReviewPaths,
  localReviewThreads,
  readLocalReviewComment,
  readLocalReviews,
  updateLocalReviewComment,
  type LocalReviewComment,
} from "./review-records.js";

type ReviewMethods = Pick<
  Platform,
  | "listReviewThreads"
  | "listReviews"
  | "getReviewComment"
  | "replyToReviewComment"
  | "updateReviewComment"
  | "addReviewCommentReaction"
>;

/** The review half of the local platform port (SPEC §11.1): threads, reviews, replies in a thread. */
export function localReviewMethods(repoDir: string, bot: string): ReviewMethods {
  const toReviewComment = (c: LocalReviewComment): ReviewCommentInfo => ({
    id: c.id,
    author: c.author,
    body: c.body,
    path: c.path,
    line: c.line,
    side: c.side,
    inReplyTo: c.inReplyTo ?? null,
    diffHunk: c.diffHunk,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    url: fileUrl(localReviewPaths.comment(repoDir, c.pull, c.id)),
  });
  const toComment = (c: LocalReviewComment): CommentInfo => ({
    id: c.id,
    author: c.author,
    body: c.body,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    url: fileUrl(localReviewPaths.comment(repoDir, c.pull, c.id)),
  });

  return {
    async listReviewThreads(pull) {
      return (await localReviewThreads(repoDir, pull)).map(({ root, comments }) => ({
        resolved: root.resolved,
        path: root.path,
        line: root.line,
        comments: comments.map(toReviewComment),
      }));
    },
    async listReviews(pull) {
      return (await readLocalReviews(repoDir, pull)).map((r) => ({
        id: r.id,
        author: r.author,
        state: r.state,
        body: r.body,
        submittedAt: r.submittedAt,
      }));
    },
    async getReviewComment(commentId) {
      const comment = await readLocalReviewComment(repoDir, commentId);
      return comment === null ? null : toReviewComment(comment);
    },
    async replyToReviewComment(pull, commentId, body) {
      const parent = await readLocalReviewComment(repoDir, commentId);
      if (parent === null || parent.pull !== pull)
        throw new LocalPlatformError(404, `review comment ${commentId} does not exist on #${pull}`);
      const reply = await addLocalReviewComment(repoDir, pull, {
        author: bot,
        body,
        path: parent.path,
        line: parent.line,
        side: parent.side,
        diffHunk: parent.diffHunk,
        inReplyTo: commentId,
      });
      return toComment(reply);
    },
    async updateReviewComment(commentId, body) {
      await updateLocalReviewComment(repoDir, commentId, (c) => ({ ...c, body, updatedAt: new Date().toISOString() }));
    },
    async addReviewCommentReaction(commentId, content) {
      await addLocalReviewReaction(repoDir, commentId, content, bot);
    },
  };
}
