import type { CommentInfo, IssueInfo, ReactionContent, RepoRef } from "../types.js";
import { MAX_BODY_CHARS, truncateWithNotice } from "./check-limits.js";
import type { GitHubClient } from "./client.js";
import { createOnce, NO_BLIND_RETRY } from "./create-once.js";
import { paginate } from "./paginate.js";

/** Issues, issue comments and reactions (a pull request's conversation comments are issue comments too). */

interface RestComment {
  /** int64 in GitHub's schema; comment ids stay far below 2^53. */
  id: number | bigint;
  user: { login: string } | null;
  body?: string;
  created_at: string;
  updated_at: string;
  html_url: string;
}

export function toCommentInfo(comment: RestComment): CommentInfo {
  return {
    id: Number(comment.id),
    // A deleted account shows as a null user; GitHub renders it as "ghost".
    author: comment.user?.login ?? "ghost",
    body: comment.body ?? "",
    createdAt: comment.created_at,
    updatedAt: comment.updated_at,
    url: comment.html_url,
  };
}

export async function fetchIssue(client: GitHubClient, repo: RepoRef, number: number): Promise<IssueInfo> {
  const { data } = await client.request("GET /repos/{owner}/{repo}/issues/{issue_number}", {
    ...repo,
    issue_number: number,
  });
  return {
    number: data.number,
    title: data.title,
    body: data.body ?? "",
    author: data.user?.login ?? "ghost",
    isPullRequest: data.pull_request !== undefined && data.pull_request !== null,
  };
}

/** Oldest first: GitHub lists issue comments in ascending id order. */
export async function fetchIssueComments(client: GitHubClient, repo: RepoRef, number: number): Promise<CommentInfo[]> {
  const comments = await paginate<RestComment>(client, "GET /repos/{owner}/{repo}/issues/{issue_number}/comments", {
    ...repo,
    issue_number: number,
  });
  return comments.map(toCommentInfo);
}

/**
 * Posts a comment exactly once: after a 5xx it looks among the issue's
 * comments since just before the attempt for one with this very body
 * (okstra's bodies open with their marker) before posting again.
 */
export async function postComment(
  client: GitHubClient,
  repo: RepoRef,
  number: number,
  body: string,
): Promise<CommentInfo> {
  const fitted = truncateWithNotice(body, MAX_BODY_CHARS);
  // GitHub's clock and ours may differ by a little; a minute back costs one short page.
  const since = new Date(Date.now() - 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");
  const create = async () =>
    toCommentInfo(
      (
        await client.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", {
          ...repo,
          issue_number: number,
          body: fitted,
          ...NO_BLIND_RETRY,
        })
      ).data,
    );
  const findCreated = async () => {
    const recent = await paginate<RestComment>(client, "GET /repos/{owner}/{repo}/issues/{issue_number}/comments", {
      ...repo,
      issue_number: number,
      since,
    });
    const found = recent.find((comment) => comment.body === fitted);
    return found ? toCommentInfo(found) : null;
  };
  return createOnce(create, findCreated);
}

export async function patchComment(
  client: GitHubClient,
  repo: RepoRef,
  commentId: number,
  body: string,
): Promise<void> {
  await client.request("PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", {
    ...repo,
    comment_id: commentId,
    body: truncateWithNotice(body, MAX_BODY_CHARS),
  });
}

/** GitHub answers 200 instead of 201 when this reaction already exists, so a retry is harmless. */
export async function postReaction(
  client: GitHubClient,
  repo: RepoRef,
  commentId: number,
  content: ReactionContent,
): Promise<void> {
  await client.request("POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", {
    ...repo,
    comment_id: commentId,
    content,
  });
}
