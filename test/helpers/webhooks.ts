import { createRequire } from "node:module";

/**
 * Real webhook payloads from @octokit/webhooks-examples, adjusted per test
 * (comment body, author, ids) — never written from memory (STYLE §9).
 */
const require = createRequire(import.meta.url);
const examples = require("@octokit/webhooks-examples/api.github.com/index.json") as Array<{
  name: string;
  examples: Array<Record<string, any>>;
}>;

export function webhookExample(event: string, action: string): Record<string, any> {
  const found =
    examples.find((e) => e.name === event)?.examples.find((e) => e.action === action && e.installation) ??
    examples.find((e) => e.name === event)?.examples.find((e) => e.action === action);
  if (!found) throw new Error(`no ${event}.${action} example in @octokit/webhooks-examples`);
  return structuredClone(found);
}

export interface CommentAdjustment {
  body: string;
  commentId?: number;
  login?: string;
  userType?: "User" | "Bot";
  installationId?: number;
}

/** An `issue_comment` payload on Codertocat/Hello-World#1 with the given comment. */
export function issueCommentPayload(
  action: "created" | "edited" | "deleted",
  adjust: CommentAdjustment,
): Record<string, any> {
  const payload = webhookExample("issue_comment", action);
  const login = adjust.login ?? payload.comment.user.login;
  const type = adjust.userType ?? "User";
  payload.comment.body = adjust.body;
  payload.comment.id = adjust.commentId ?? payload.comment.id;
  payload.comment.user = { ...payload.comment.user, login, type };
  payload.sender = { ...payload.sender, login, type };
  payload.installation = { id: adjust.installationId ?? 1, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==" };
  return payload;
}
