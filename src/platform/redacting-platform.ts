import { withOverrides } from "../util/override.js";
import { redactDeep, redactSecrets } from "../util/redact.js";
import type { Platform } from "./types.js";

/**
 * Every write okstra makes to the platform — comments, replies in review
 * threads, PR titles and bodies, check runs — passes through the one redaction point (SPEC §14.3), for the
 * GitHub and the local adapter alike. Reads pass unchanged.
 */
export function redactingPlatform(platform: Platform): Platform {
  return withOverrides(platform, {
    createComment: (issueNumber: number, body: string) => platform.createComment(issueNumber, redactSecrets(body)),
    updateComment: (commentId: number, body: string) => platform.updateComment(commentId, redactSecrets(body)),
    replyToReviewComment: (pullNumber: number, commentId: number, body: string) =>
      platform.replyToReviewComment(pullNumber, commentId, redactSecrets(body)),
    updateReviewComment: (commentId: number, body: string) =>
      platform.updateReviewComment(commentId, redactSecrets(body)),
    createPullRequest: (pr: Parameters<Platform["createPullRequest"]>[0]) => platform.createPullRequest(redactDeep(pr)),
    updatePullRequest: (number: number, update: Parameters<Platform["updatePullRequest"]>[1]) =>
      platform.updatePullRequest(number, redactDeep(update)),
    createCheckRun: (check: Parameters<Platform["createCheckRun"]>[0]) => platform.createCheckRun(redactDeep(check)),
    updateCheckRun: (id: number, check: Parameters<Platform["updateCheckRun"]>[1]) =>
      platform.updateCheckRun(id, redactDeep(check)),
  });
}
