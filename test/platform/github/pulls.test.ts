import { describe, expect, it } from "@jest/globals";
import { httpMock } from "../../helpers/http-mock.js";
import { API_REPO, githubPlatform, restPull } from "./fixture.js";

describe("GitHub platform: pull requests", () => {
  it("creates a pull request with the REST body and maps the answer", async () => {
    const request = {
      title: "Stage 1: Parse CSV (#12)",
      body: "body",
      head: "okstra/12/s1",
      base: "main",
      draft: true,
    };
    httpMock().post(`${API_REPO}/pulls`, request).reply(201, restPull());
    expect(await githubPlatform().createPullRequest(request)).toEqual({
      number: 101,
      title: "Stage 1: Parse CSV (#12)",
      body: "body",
      head: "okstra/12/s1",
      base: "main",
      draft: true,
      state: "open",
      merged: false,
      url: "https://github.com/acme/widgets/pull/101",
    });
  });

  it("updates only the fields given", async () => {
    httpMock()
      .patch(`${API_REPO}/pulls/101`, { base: "main", body: "new body" })
      .reply(200, restPull({ body: "new body" }));
    await githubPlatform().updatePullRequest(101, { body: "new body", base: "main" });
  });

  it("finds the open pull request of a branch with head qualified by the owner", async () => {
    httpMock()
      .get(`${API_REPO}/pulls`)
      .query({ state: "open", head: "acme:okstra/12/s1", per_page: "100" })
      .reply(200, [restPull()])
      .get(`${API_REPO}/pulls`)
      .query({ state: "open", head: "acme:okstra/12/s2", per_page: "100" })
      .reply(200, []);
    const platform = githubPlatform();
    expect(await platform.findOpenPullRequest("okstra/12/s1")).toMatchObject({ number: 101, head: "okstra/12/s1" });
    expect(await platform.findOpenPullRequest("okstra/12/s2")).toBeNull();
  });

  it("lists open pull requests on a base across pages", async () => {
    httpMock()
      .get(`${API_REPO}/pulls`)
      .query({ state: "open", base: "okstra/12/s1", per_page: "100" })
      .reply(200, [restPull({ number: 102 })], {
        link: `<https://api.github.com/repositories/42/pulls?state=open&base=okstra%2F12%2Fs1&per_page=100&page=2>; rel="next"`,
      })
      .get("/repositories/42/pulls")
      .query({ state: "open", base: "okstra/12/s1", per_page: "100", page: "2" })
      .reply(200, [restPull({ number: 103, merged_at: "2024-05-02T00:00:00Z", state: "closed" })]);
    const pulls = await githubPlatform().listOpenPullRequests({ base: "okstra/12/s1" });
    expect(pulls.map((p) => [p.number, p.merged])).toEqual([
      [102, false],
      [103, true],
    ]);
  });

  it("gets a pull request with its merged flag", async () => {
    httpMock()
      .get(`${API_REPO}/pulls/101`)
      .reply(200, restPull({ merged: true, state: "closed", merged_at: "2024-05-02T00:00:00Z" }));
    expect(await githubPlatform().getPullRequest(101)).toMatchObject({ state: "closed", merged: true });
  });

  it("marks a draft ready for review through GraphQL with the PR's node id", async () => {
    httpMock()
      .get(`${API_REPO}/pulls/101`)
      .reply(200, restPull({ draft: true }))
      .post(
        "/graphql",
        (body: { query: string; variables: { id: string } }) =>
          /markPullRequestReadyForReview/.test(body.query) && body.variables.id === "PR_kwDOA1",
      )
      .reply(200, { data: { markPullRequestReadyForReview: { pullRequest: { isDraft: false } } } });
    await githubPlatform().setDraft(101, false);
  });

  it("converts a ready pull request back to draft through GraphQL", async () => {
    httpMock()
      .get(`${API_REPO}/pulls/101`)
      .reply(200, restPull({ draft: false }))
      .post(
        "/graphql",
        (body: { query: string; variables: { id: string } }) =>
          /convertPullRequestToDraft/.test(body.query) && body.variables.id === "PR_kwDOA1",
      )
      .reply(200, { data: { convertPullRequestToDraft: { pullRequest: { isDraft: true } } } });
    await githubPlatform().setDraft(101, true);
  });

  it("sends no mutation when the pull request is already in the asked state", async () => {
    httpMock()
      .get(`${API_REPO}/pulls/101`)
      .reply(200, restPull({ draft: true }));
    await githubPlatform().setDraft(101, true);
  });
});
