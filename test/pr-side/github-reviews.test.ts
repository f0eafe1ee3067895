import { describe, expect, it } from "@jest/globals";
import { httpMock } from "../helpers/http-mock.js";
import { webhookExample } from "../helpers/webhooks.js";
import { API_REPO, githubPlatform } from "../platform/github/fixture.js";

/**
 * The review half of the GitHub adapter (SPEC §15.2): threads through GraphQL
 * (only GraphQL knows `isResolved`), reviews, replies, edits and reactions
 * through REST. Response bodies are GitHub's: a review comment is the
 * `comment` of a real `pull_request_review_comment` payload.
 */

/** A real review comment (the REST shape), adjusted. */
function restReviewComment(id: number, body: string, login: string, inReplyTo?: number): Record<string, unknown> {
  const comment = webhookExample("pull_request_review_comment", "created").comment;
  return {
    ...comment,
    id,
    body,
    user: { ...comment.user, login },
    line: 7,
    side: "RIGHT",
    ...(inReplyTo ? { in_reply_to_id: inReplyTo } : {}),
  };
}

const thread = (resolved: boolean, id: number, body: string) => ({
  isResolved: resolved,
  path: "src/csv.js",
  line: 7,
  diffSide: "RIGHT",
  comments: {
    nodes: [
      {
        databaseId: id,
        body,
        createdAt: "2026-11-21T10:00:00Z",
        updatedAt: "2026-11-21T10:00:00Z",
        path: "src/csv.js",
        line: 7,
        diffHunk: "@@ -0,0 +1,7 @@\n+x",
        url: `https://github.com/acme/widgets/pull/101#discussion_r${id}`,
        author: { __typename: "User", login: "alice" },
        replyTo: null,
      },
      {
        databaseId: id + 1,
        body: "agreed",
        createdAt: "2026-11-21T10:05:00Z",
        updatedAt: "2026-11-21T10:05:00Z",
        path: "src/csv.js",
        line: 7,
        diffHunk: "@@ -0,0 +1,7 @@\n+x",
        url: "u",
        author: null,
        replyTo: { databaseId: id },
      },
      // GraphQL names a bot without REST's `[bot]` suffix.
      {
        databaseId: id + 2,
        body: "Addressed in abc",
        createdAt: "2026-11-21T10:06:00Z",
        updatedAt: "2026-11-21T10:06:00Z",
        path: "src/csv.js",
        line: 7,
        diffHunk: "@@ -0,0 +1,7 @@\n+x",
        url: "u",
        author: { __typename: "Bot", login: "okstra" },
        replyTo: { databaseId: id },
      },
    ],
  },
});

describe("GitHub platform: review threads, reviews and replies", () => {
  it("reads every review thread through GraphQL, page after page, with its resolved state and conversation", async () => {
    const variables: unknown[] = [];
    const page = (nodes: unknown[], hasNextPage: boolean, endCursor: string | null) => ({
      data: { repository: { pullRequest: { reviewThreads: { pageInfo: { hasNextPage, endCursor }, nodes } } } },
    });
    httpMock()
      .post(
        "/graphql",
        (body: { query: string; variables: unknown }) =>
          /reviewThreads\(first: 50, after: \$after\)/.test(body.query) &&
          /isResolved/.test(body.query) &&
          Boolean(variables.push(body.variables)),
      )
      .reply(200, page([thread(false, 10, "quote the commas")], true, "CUR1"))
      .post("/graphql", (body: { variables: unknown }) => Boolean(variables.push(body.variables)))
      .reply(200, page([thread(true, 20, "nit")], false, null));

    const threads = await githubPlatform().listReviewThreads(101);
    expect(variables).toEqual([
      { owner: "acme", repo: "widgets", number: 101, after: null },
      { owner: "acme", repo: "widgets", number: 101, after: "CUR1" },
    ]);
    expect(
      threads.map((t) => [t.resolved, t.path, t.line, t.comments.map((c) => [c.id, c.author, c.inReplyTo])]),
    ).toEqual([
      [
        false,
        "src/csv.js",
        7,
        [
          [10, "alice", null],
          [11, "ghost", 10],
          [12, "okstra[bot]", 10],
        ],
      ],
      [
        true,
        "src/csv.js",
        7,
        [
          [20, "alice", null],
          [21, "ghost", 20],
          [22, "okstra[bot]", 20],
        ],
      ],
    ]);
    expect(threads[0]!.comments[0]).toMatchObject({
      body: "quote the commas",
      diffHunk: "@@ -0,0 +1,7 @@\n+x",
      side: "RIGHT",
    });
  });

  it("lists reviews with their state, reading an unknown state as a plain comment", async () => {
    const review = webhookExample("pull_request_review", "submitted").review;
    httpMock()
      .get(`${API_REPO}/pulls/101/reviews`)
      .query({ per_page: "100" })
      .reply(200, [
        { ...review, id: 1, state: "CHANGES_REQUESTED", body: "please split", submitted_at: "2026-11-21T10:00:00Z" },
        { ...review, id: 2, state: "SOMETHING_NEW", body: "" },
      ]);
    expect((await githubPlatform().listReviews(101)).map((r) => [r.id, r.state, r.body])).toEqual([
      [1, "CHANGES_REQUESTED", "please split"],
      [2, "COMMENTED", ""],
    ]);
  });

  it("reads one review comment, and null for a deleted one", async () => {
    httpMock()
      .get(`${API_REPO}/pulls/comments/10`)
      .reply(200, restReviewComment(10, "/okstra revise", "alice"))
      .get(`${API_REPO}/pulls/comments/11`)
      .reply(404, { message: "Not Found" });
    expect(await githubPlatform().getReviewComment(10)).toMatchObject({
      id: 10,
      author: "alice",
      body: "/okstra revise",
      line: 7,
      side: "RIGHT",
      inReplyTo: null,
    });
    expect(await githubPlatform().getReviewComment(11)).toBeNull();
  });

  it("answers in a thread, edits that answer and reacts on the command", async () => {
    httpMock()
      .post(`${API_REPO}/pulls/101/comments/10/replies`, { body: "on it" })
      .reply(201, restReviewComment(12, "on it", "okstra[bot]", 10))
      .patch(`${API_REPO}/pulls/comments/12`, { body: "done" })
      .reply(200, restReviewComment(12, "done", "okstra[bot]", 10))
      .post(`${API_REPO}/pulls/comments/10/reactions`, { content: "eyes" })
      .reply(201, { id: 1, content: "eyes" });
    const platform = githubPlatform();
    expect(await platform.replyToReviewComment(101, 10, "on it")).toMatchObject({
      id: 12,
      author: "okstra[bot]",
      body: "on it",
    });
    await platform.updateReviewComment(12, "done");
    await platform.addReviewCommentReaction(10, "eyes");
  });
});
