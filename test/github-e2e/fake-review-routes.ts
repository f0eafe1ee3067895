import type { BareRepo } from "./bare-repo.js";
import type { StoredReaction } from "./fake-issue-routes.js";
import type { StoredPull } from "./fake-pull-routes.js";
import { API, notFound, repoPath, timestamp, unprocessable } from "./fake-routes.js";
import type { Reply, Route, Schemas, SimpleUser } from "./fake-routes.js";

/**
 * Pull-request reviews and inline review comments: the REST routes okstra
 * calls (src/platform/github/reviews.ts) and the GraphQL `reviewThreads`
 * connection, the only place GitHub says whether a thread is resolved. A
 * thread is a top-level review comment and the comments replying to it;
 * GitHub takes replies only on a thread's first comment.
 */

export interface StoredReviewComment {
  id: number;
  pull: number;
  user: SimpleUser;
  body: string;
  path: string;
  line: number;
  diffHunk: string;
  /** The head the comment was written against. */
  commitId: string;
  /** The thread's first comment, for a reply. */
  inReplyTo: number | null;
  createdAt: string;
  updatedAt: string;
}

export interface StoredReview {
  id: number;
  pull: number;
  user: SimpleUser;
  body: string;
  state: "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED";
  commitId: string;
  submittedAt: string;
}

export interface ReviewState {
  owner: string;
  repo: string;
  bare: BareRepo;
  bot: SimpleUser;
  pulls: StoredPull[];
  reviewComments: StoredReviewComment[];
  reviews: StoredReview[];
  /** Reactions on review comments (issue-comment reactions live in the issue state). */
  reactions: StoredReaction[];
  /** Ids of the first comments of resolved threads. */
  resolvedThreads: Set<number>;
  nextCommentId(): number;
}

type ReviewCommentResource = Pick<
  Schemas["pull-request-review-comment"],
  | "url"
  | "pull_request_review_id"
  | "id"
  | "node_id"
  | "diff_hunk"
  | "path"
  | "commit_id"
  | "original_commit_id"
  | "in_reply_to_id"
  | "body"
  | "created_at"
  | "updated_at"
  | "html_url"
  | "pull_request_url"
  | "author_association"
  | "_links"
  | "line"
  | "side"
> & { user: SimpleUser };

type ReviewResource = Pick<
  Schemas["pull-request-review"],
  | "id"
  | "node_id"
  | "body"
  | "state"
  | "html_url"
  | "pull_request_url"
  | "_links"
  | "submitted_at"
  | "commit_id"
  | "author_association"
> & { user: SimpleUser };

export function reviewCommentResource(state: ReviewState, comment: StoredReviewComment): ReviewCommentResource {
  const base = `${API}/repos/${state.owner}/${state.repo}`;
  const html = `https://github.com/${state.owner}/${state.repo}/pull/${comment.pull}#discussion_r${comment.id}`;
  const resource: ReviewCommentResource = {
    url: `${base}/pulls/comments/${comment.id}`,
    pull_request_review_id: null,
    id: comment.id,
    node_id: Buffer.from(`024:PullRequestReviewComment${comment.id}`).toString("base64"),
    diff_hunk: comment.diffHunk,
    path: comment.path,
    commit_id: comment.commitId,
    original_commit_id: comment.commitId,
    user: comment.user,
    body: comment.body,
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
    html_url: html,
    pull_request_url: `${base}/pulls/${comment.pull}`,
    author_association: comment.user.type === "Bot" ? "NONE" : "OWNER",
    _links: {
      self: { href: `${base}/pulls/comments/${comment.id}` },
      html: { href: html },
      pull_request: { href: `${base}/pulls/${comment.pull}` },
    },
    line: comment.line,
    side: "RIGHT",
  };
  if (comment.inReplyTo !== null) resource.in_reply_to_id = comment.inReplyTo;
  return resource;
}

export function reviewRoutes(state: ReviewState): Route[] {
  const path = (rest: string) => repoPath(state.owner, state.repo, rest);
  const find = (id: string) => state.reviewComments.find((c) => c.id === Number(id));
  return [
    {
      method: "GET",
      name: "GET /repos/{owner}/{repo}/pulls/comments/{comment_id}",
      path: path("/pulls/comments/(\\d+)"),
      handle: ({ params }) => {
        const comment = find(params[0]);
        if (!comment) return notFound("pulls/comments#get-a-review-comment-for-a-pull-request");
        return [200, reviewCommentResource(state, comment)];
      },
    },
    {
      method: "PATCH",
      name: "PATCH /repos/{owner}/{repo}/pulls/comments/{comment_id}",
      path: path("/pulls/comments/(\\d+)"),
      handle: ({ params, body }) => {
        const comment = find(params[0]);
        if (!comment) return notFound("pulls/comments#update-a-review-comment-for-a-pull-request");
        comment.body = body.body;
        comment.updatedAt = timestamp();
        return [200, reviewCommentResource(state, comment)];
      },
    },
    {
      method: "POST",
      name: "POST /repos/{owner}/{repo}/pulls/{pull_number}/comments/{comment_id}/replies",
      path: path("/pulls/(\\d+)/comments/(\\d+)/replies"),
      handle: ({ params, body }) => reply(state, Number(params[0]), Number(params[1]), body.body),
    },
    {
      method: "POST",
      name: "POST /repos/{owner}/{repo}/pulls/comments/{comment_id}/reactions",
      path: path("/pulls/comments/(\\d+)/reactions"),
      handle: ({ params, body }) => reaction(state, Number(params[0]), body.content),
    },
    {
      method: "GET",
      name: "GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews",
      path: path("/pulls/(\\d+)/reviews"),
      // One page: the scenarios stay far below per_page=100, so no Link header.
      handle: ({ params }) => {
        const reviews = state.reviews.filter((r) => r.pull === Number(params[0]));
        return [200, reviews.map((r) => reviewResource(state, r))];
      },
    },
    {
      method: "POST",
      name: "POST /graphql reviewThreads",
      path: /^\/graphql$/,
      matchBody: (body) => typeof body?.query === "string" && body.query.includes("reviewThreads"),
      handle: ({ body }) => reviewThreads(state, body.variables),
    },
  ];
}

/** GitHub answers on a thread's first comment only; a reply to a reply is refused. */
function reply(state: ReviewState, pull: number, to: number, body: string): Reply {
  const docs = "pulls/comments#create-a-reply-for-a-review-comment";
  const root = state.reviewComments.find((c) => c.id === to && c.pull === pull);
  if (!root) return notFound(docs);
  if (root.inReplyTo !== null) {
    const message = "Replies to replies are not supported";
    const error = { resource: "PullRequestReviewComment", code: "custom", message };
    return unprocessable("Validation Failed", docs, [error]);
  }
  const now = timestamp();
  const comment: StoredReviewComment = {
    ...{ ...root, id: state.nextCommentId(), user: state.bot, body },
    ...{ inReplyTo: root.id, createdAt: now, updatedAt: now },
  };
  state.reviewComments.push(comment);
  return [201, reviewCommentResource(state, comment)];
}

function reaction(state: ReviewState, commentId: number, content: string): Reply {
  const docs = "reactions/reactions#create-reaction-for-a-pull-request-review-comment";
  if (!state.reviewComments.some((c) => c.id === commentId)) return notFound(docs);
  const same = (r: StoredReaction) => r.commentId === commentId && r.content === content && r.user === state.bot.login;
  const existing = state.reactions.some(same);
  if (!existing) state.reactions.push({ commentId, content, user: state.bot.login });
  const body: Pick<Schemas["reaction"], "id" | "node_id" | "user" | "content" | "created_at"> = {
    id: 200 + state.reactions.length,
    node_id: Buffer.from(`08:Reaction${commentId}${content}`).toString("base64"),
    user: state.bot as Schemas["reaction"]["user"],
    content: content as Schemas["reaction"]["content"],
    created_at: timestamp(),
  };
  return [existing ? 200 : 201, body];
}

function reviewResource(state: ReviewState, review: StoredReview): ReviewResource {
  const base = `${API}/repos/${state.owner}/${state.repo}`;
  const html = `https://github.com/${state.owner}/${state.repo}/pull/${review.pull}#pullrequestreview-${review.id}`;
  return {
    id: review.id,
    node_id: Buffer.from(`017:PullRequestReview${review.id}`).toString("base64"),
    user: review.user,
    body: review.body,
    state: review.state,
    html_url: html,
    pull_request_url: `${base}/pulls/${review.pull}`,
    _links: { html: { href: html }, pull_request: { href: `${base}/pulls/${review.pull}` } },
    submitted_at: review.submittedAt,
    commit_id: review.commitId,
    author_association: review.user.type === "Bot" ? "NONE" : "OWNER",
  };
}

/**
 * The fields okstra's query selects (the contract check refuses any other),
 * every thread on one page. GraphQL names a bot by its slug, without `[bot]`.
 */
function reviewThreads(state: ReviewState, variables: { number: number; after?: string | null }): Reply {
  const pull = state.pulls.find((p) => p.number === variables.number);
  if (!pull) {
    const message = `Could not resolve to a PullRequest with the number of ${variables.number}.`;
    const error = { type: "NOT_FOUND", path: ["repository", "pullRequest"], message };
    return [200, { data: { repository: { pullRequest: null } }, errors: [error] }];
  }
  const comments = state.reviewComments.filter((c) => c.pull === pull.number);
  const nodes = comments
    .filter((c) => c.inReplyTo === null)
    .map((root) => ({
      isResolved: state.resolvedThreads.has(root.id),
      path: root.path,
      line: root.line,
      diffSide: "RIGHT",
      comments: {
        nodes: comments.filter((c) => c.id === root.id || c.inReplyTo === root.id).map((c) => threadComment(state, c)),
      },
    }));
  const reviewThreads = { pageInfo: { hasNextPage: false, endCursor: null }, nodes };
  return [200, { data: { repository: { pullRequest: { reviewThreads } } } }];
}

function threadComment(state: ReviewState, comment: StoredReviewComment) {
  const login = comment.user.type === "Bot" ? comment.user.login.replace(/\[bot\]$/, "") : comment.user.login;
  return {
    databaseId: comment.id,
    body: comment.body,
    createdAt: comment.createdAt,
    updatedAt: comment.updatedAt,
    path: comment.path,
    line: comment.line,
    diffHunk: comment.diffHunk,
    url: reviewCommentResource(state, comment).html_url,
    author: { __typename: comment.user.type, login },
    replyTo: comment.inReplyTo === null ? null : { databaseId: comment.inReplyTo },
  };
}
