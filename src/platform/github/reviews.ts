import type {
  CommentInfo,
  ReactionContent,
  RepoRef,
  ReviewCommentInfo,
  ReviewInfo,
  ReviewState,
  ReviewThreadInfo,
} from "../types.js";
import { MAX_BODY_CHARS, truncateWithNotice } from "./check-limits.js";
import type { GitHubClient } from "./client.js";
import { nullOn404 } from "./errors.js";
import { toCommentInfo } from "./issues.js";
import { paginate } from "./paginate.js";

/**
 * Pull-request reviews, review threads and inline review comments. Whether a
 * thread is resolved exists only in GraphQL (`PullRequestReviewThread.isResolved`);
 * replies and edits of review comments are REST.
 */

const REVIEW_THREADS = `query ($owner: String!, $repo: String!, $number: Int!, $after: String) {
  repository(owner: $owner, name: $repo) {
    pullRequest(number: $number) {
      reviewThreads(first: 50, after: $after) {
        pageInfo { hasNextPage endCursor }
        nodes {
          isResolved
          path
          line
          diffSide
          comments(first: 100) {
            nodes { databaseId body createdAt updatedAt path line diffHunk url author { __typename login } replyTo { databaseId } }
          }
        }
      }
    }
  }
}`;

interface ThreadNode {
  isResolved: boolean;
  path: string;
  line: number | null;
  diffSide: "LEFT" | "RIGHT";
  comments: {
    nodes: Array<{
      databaseId: number | null;
      body: string;
      createdAt: string;
      updatedAt: string;
      path: string;
      line: number | null;
      diffHunk: string;
      url: string;
      author: { __typename: string; login: string } | null;
      replyTo: { databaseId: number | null } | null;
    }>;
  };
}

interface ThreadsPage {
  repository: {
    pullRequest: {
      reviewThreads: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: ThreadNode[] };
    } | null;
  } | null;
}

export async function fetchReviewThreads(
  client: GitHubClient,
  repo: RepoRef,
  pull: number,
): Promise<ReviewThreadInfo[]> {
  const threads: ReviewThreadInfo[] = [];
  let after: string | null = null;
  for (;;) {
    const page: ThreadsPage = await client.graphql<ThreadsPage>(REVIEW_THREADS, {
      owner: repo.owner,
      repo: repo.repo,
      number: pull,
      after,
    });
    const connection = page.repository?.pullRequest?.reviewThreads;
    if (!connection) return threads;
    threads.push(...connection.nodes.map(toThread));
    if (!connection.pageInfo.hasNextPage) return threads;
    after = connection.pageInfo.endCursor;
  }
}

function toThread(node: ThreadNode): ReviewThreadInfo {
  return {
    resolved: node.isResolved,
    path: node.path,
    line: node.line,
    comments: node.comments.nodes.map((c) => ({
      id: c.databaseId ?? 0,
      author: actorLogin(c.author),
      body: c.body,
      path: c.path,
      line: c.line,
      side: node.diffSide,
      inReplyTo: c.replyTo?.databaseId ?? null,
      diffHunk: c.diffHunk,
      createdAt: c.createdAt,
      updatedAt: c.updatedAt,
      url: c.url,
    })),
  };
}

/** GraphQL names a bot `okstra`, REST `okstra[bot]`: every login okstra compares is REST's. */
function actorLogin(author: { __typename: string; login: string } | null): string {
  if (!author) return "ghost";
  return author.__typename === "Bot" && !author.login.endsWith("[bot]") ? `${author.login}[bot]` : author.login;
}

interface RestReview {
  id: number | bigint;
  user: { login: string } | null;
  body: string;
  state: string;
  submitted_at?: string;
}

const REVIEW_STATES: readonly ReviewState[] = ["APPROVED", "CHANGES_REQUESTED", "COMMENTED", "DISMISSED", "PENDING"];

export async function fetchReviews(client: GitHubClient, repo: RepoRef, pull: number): Promise<ReviewInfo[]> {
  const reviews = await paginate<RestReview>(client, "GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews", {
    ...repo,
    pull_number: pull,
  });
  return reviews.map((r) => ({
    id: Number(r.id),
    author: r.user?.login ?? "ghost",
    // The schema types `state` as a string; anything unexpected is read as a plain comment, never as a change request.
    state: (REVIEW_STATES as readonly string[]).includes(r.state) ? (r.state as ReviewState) : "COMMENTED",
    body: r.body ?? "",
    submittedAt: r.submitted_at ?? null,
  }));
}

export async function fetchReviewComment(
  client: GitHubClient,
  repo: RepoRef,
  commentId: number,
): Promise<ReviewCommentInfo | null> {
  return nullOn404(async () => {
    const { data } = await client.request("GET /repos/{owner}/{repo}/pulls/comments/{comment_id}", {
      ...repo,
      comment_id: commentId,
    });
    return {
      id: Number(data.id),
      author: data.user?.login ?? "ghost",
      body: data.body,
      path: data.path,
      line: data.line ?? null,
      side: data.side ?? "RIGHT",
      inReplyTo: data.in_reply_to_id ?? null,
      diffHunk: data.diff_hunk,
      createdAt: data.created_at,
      updatedAt: data.updated_at,
      url: data.html_url,
    };
  });
}

export async function postReviewReply(
  client: GitHubClient,
  repo: RepoRef,
  pull: number,
  commentId: number,
  body: string,
): Promise<CommentInfo> {
  const { data } = await client.request(
    "POST /repos/{owner}/{repo}/pulls/{pull_number}/comments/{comment_id}/replies",
    { ...repo, pull_number: pull, comment_id: commentId, body: truncateWithNotice(body, MAX_BODY_CHARS) },
  );
  return toCommentInfo(data);
}

export async function patchReviewComment(
  client: GitHubClient,
  repo: RepoRef,
  commentId: number,
  body: string,
): Promise<void> {
  await client.request("PATCH /repos/{owner}/{repo}/pulls/comments/{comment_id}", {
    ...repo,
    comment_id: commentId,
    body: truncateWithNotice(body, MAX_BODY_CHARS),
  });
}

export async function postReviewCommentReaction(
  client: GitHubClient,
  repo: RepoRef,
  commentId: number,
  content: ReactionContent,
): Promise<void> {
  await client.request("POST /repos/{owner}/{repo}/pulls/comments/{comment_id}/reactions", {
    ...repo,
    comment_id: commentId,
    content,
  });
}
