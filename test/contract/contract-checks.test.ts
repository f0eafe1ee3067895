import { describe, expect, it } from "@jest/globals";
import { Octokit } from "@octokit/rest";
import { assertHttpMocksSettled, httpMock } from "../helpers/http-mock.js";
import { checkGitHubExchange, checkWebhook } from "../helpers/contract/index.js";
import { issueCommentPayload } from "../helpers/webhooks.js";

const client = () =>
  new Octokit({ auth: "ghs_test", log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} } });

/** Runs the test's exchange, then what test/setup.ts runs after every test; returns its complaint. */
async function settledComplaint(exchange: () => Promise<unknown>): Promise<string> {
  await exchange().catch(() => undefined);
  try {
    assertHttpMocksSettled();
  } catch (error) {
    return (error as Error).message;
  }
  return "";
}

describe("every GitHub exchange a mock answers is checked against GitHub's contracts", () => {
  it("fails a test whose request body has a field GitHub does not know, naming the schema path", async () => {
    httpMock().post("/repos/acme/widgets/issues/12/comments").reply(201, { id: 1 });
    const complaint = await settledComplaint(() =>
      client().request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", {
        owner: "acme",
        repo: "widgets",
        issue_number: 12,
        bodyy: "hi",
      } as never),
    );
    expect(complaint).toContain("POST /repos/{owner}/{repo}/issues/{issue_number}/comments request body");
    expect(complaint).toContain('must NOT have additional properties "bodyy"');
    expect(complaint).toContain("(schema #/additionalProperties)");
  });

  it("fails a test whose mocked response invents a field GitHub never returns", async () => {
    httpMock().get("/repos/acme/widgets/issues/12").reply(200, { number: 12, title: "t", priority: "high" });
    const complaint = await settledComplaint(() =>
      client().request("GET /repos/{owner}/{repo}/issues/{issue_number}", {
        owner: "acme",
        repo: "widgets",
        issue_number: 12,
      }),
    );
    expect(complaint).toContain("GET /repos/{owner}/{repo}/issues/{issue_number} response 200 body /");
    expect(complaint).toContain('"priority"');
  });

  it("passes an exchange GitHub would accept and could answer", async () => {
    httpMock()
      .get("/repos/acme/widgets/issues/12")
      .reply(200, { number: 12, title: "t", body: null, user: { login: "alice", id: 1 } });
    expect(
      await settledComplaint(() =>
        client().request("GET /repos/{owner}/{repo}/issues/{issue_number}", {
          owner: "acme",
          repo: "widgets",
          issue_number: 12,
        }),
      ),
    ).toBe("");
  });

  it("checks query parameters, path parameters and undocumented routes", () => {
    expect(
      checkGitHubExchange({
        method: "GET",
        path: "/repos/acme/widgets/pulls?state=open&heads=acme:x",
        body: undefined,
      }),
    ).toEqual([
      expect.stringContaining('GET /repos/{owner}/{repo}/pulls query /: must NOT have additional properties "heads"'),
    ]);
    expect(
      checkGitHubExchange({ method: "GET", path: "/repos/acme/widgets/issues/twelve", body: undefined })[0],
    ).toContain("path parameter /issue_number: must be integer");
    expect(checkGitHubExchange({ method: "POST", path: "/repos/acme/widgets/comments", body: {} })[0]).toContain(
      "has no such operation",
    );
    expect(
      checkGitHubExchange({ method: "GET", path: "/api/v3/repos/acme/widgets/issues/1", body: undefined }),
    ).toEqual([]);
  });

  it("checks GraphQL documents, their variables and the mocked data", () => {
    const wrongField = {
      query:
        "mutation($id: ID!) { markPullRequestReadyForReview(input: { pullRequestId: $id }) { pullRequest { isDrafted } } }",
      variables: { id: "PR_1" },
    };
    expect(checkGitHubExchange({ method: "POST", path: "/graphql", body: wrongField })[0]).toContain(
      'Cannot query field "isDrafted" on type "PullRequest"',
    );
    const good = {
      query:
        "mutation($id: ID!) { markPullRequestReadyForReview(input: { pullRequestId: $id }) { pullRequest { isDraft } } }",
      variables: { id: "PR_1" },
    };
    expect(
      checkGitHubExchange({
        method: "POST",
        path: "/graphql",
        body: good,
        status: 200,
        responseBody: { data: { markPullRequestReadyForReview: { pullRequest: { isDraft: false } } } },
      }),
    ).toEqual([]);
    expect(
      checkGitHubExchange({
        method: "POST",
        path: "/graphql",
        body: good,
        status: 200,
        responseBody: { data: { markPullRequestReadyForReview: { pullRequest: { isDraft: false, merged: true } } } },
      })[0],
    ).toContain("data.markPullRequestReadyForReview.pullRequest.merged: the document did not select this field");
  });

  it("checks webhook fixtures against the webhook schemas", () => {
    const payload = issueCommentPayload("created", { body: "/okstra plan" });
    expect(checkWebhook("issue_comment", payload)).toEqual([]);
    payload.comment.bodyText = "x";
    expect(checkWebhook("issue_comment", payload).join("\n")).toContain('"bodyText"');
  });
});
