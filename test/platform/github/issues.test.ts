import { describe, expect, it } from "@jest/globals";
import { httpMock } from "../../helpers/http-mock.js";
import { API_REPO, githubPlatform, restComment } from "./fixture.js";

describe("GitHub platform: issues, comments and reactions", () => {
  it("maps an issue and tells a pull request apart", async () => {
    httpMock()
      .get(`${API_REPO}/issues/12`)
      .reply(200, { number: 12, title: "Export CSV", body: null, user: { login: "alice" } })
      .get(`${API_REPO}/issues/101`)
      .reply(200, {
        number: 101,
        title: "Stage 1",
        body: "x",
        user: { login: "okstra[bot]" },
        pull_request: { url: "u" },
      });
    const platform = githubPlatform();
    expect(await platform.getIssue(12)).toEqual({
      number: 12,
      title: "Export CSV",
      body: "",
      author: "alice",
      isPullRequest: false,
    });
    expect((await platform.getIssue(101)).isPullRequest).toBe(true);
  });

  it("follows the Link header across pages and keeps comments oldest first", async () => {
    const page1 = Array.from({ length: 100 }, (_, i) => restComment(i + 1, `c${i + 1}`));
    httpMock()
      .get(`${API_REPO}/issues/12/comments`)
      .query({ per_page: "100" })
      .reply(200, page1, {
        link: `<https://api.github.com/repositories/42/issues/12/comments?per_page=100&page=2>; rel="next", <https://api.github.com/repositories/42/issues/12/comments?per_page=100&page=2>; rel="last"`,
      })
      .get("/repositories/42/issues/12/comments")
      .query({ per_page: "100", page: "2" })
      .reply(200, [restComment(101, "last", "bob")], {
        link: `<https://api.github.com/repositories/42/issues/12/comments?per_page=100&page=1>; rel="prev"`,
      });
    const comments = await githubPlatform().listIssueComments(12);
    expect(comments).toHaveLength(101);
    expect(comments.map((c) => c.id)).toEqual(Array.from({ length: 101 }, (_, i) => i + 1));
    expect(comments[100]).toEqual({
      id: 101,
      author: "bob",
      body: "last",
      createdAt: "2024-05-01T10:00:00Z",
      updatedAt: "2024-05-01T10:00:00Z",
      url: "https://github.com/acme/widgets/issues/12#issuecomment-101",
    });
  });

  it("creates a comment and returns it in okstra's shape", async () => {
    httpMock()
      .post(`${API_REPO}/issues/12/comments`, { body: "status: planning" })
      .reply(201, restComment(555, "status: planning", "okstra[bot]"));
    const comment = await githubPlatform().createComment(12, "status: planning");
    expect(comment).toMatchObject({ id: 555, author: "okstra[bot]", body: "status: planning" });
  });

  it("edits a comment in place by id", async () => {
    httpMock()
      .patch(`${API_REPO}/issues/comments/555`, { body: "status: done" })
      .reply(200, restComment(555, "status: done", "okstra[bot]"));
    await githubPlatform().updateComment(555, "status: done");
  });

  it("reacts to a comment with the content asked", async () => {
    httpMock()
      .post(`${API_REPO}/issues/comments/777/reactions`, { content: "eyes" })
      .reply(201, { id: 1, content: "eyes", user: { login: "okstra[bot]" } });
    await githubPlatform().addReaction(777, "eyes");
  });
});
