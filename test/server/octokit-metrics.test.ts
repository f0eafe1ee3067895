import { describe, expect, it } from "@jest/globals";
import { Octokit } from "@octokit/rest";
import { httpMock } from "../helpers/http-mock.js";
import { createMetrics } from "../../src/server/metrics.js";
import { instrumentOctokit, routeTemplate } from "../../src/server/octokit-metrics.js";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

describe("instrumentOctokit", () => {
  it("counts requests by method, route template and status, and keeps the rate-limit budget", async () => {
    const metrics = createMetrics();
    const octokit = instrumentOctokit(new Octokit({ auth: "token", log: quiet }), metrics);
    instrumentOctokit(octokit, metrics); // twice is once
    httpMock()
      .get("/repos/Codertocat/Hello-World")
      .reply(200, { id: 1 }, { "x-ratelimit-remaining": "4999", "x-ratelimit-resource": "core" })
      .get("/repos/Codertocat/Hello-World/issues/1/comments")
      .reply(200, [], { "x-ratelimit-remaining": "4998", "x-ratelimit-resource": "core" })
      .get("/repos/Codertocat/Hello-World/contents/.github%2Fokstra.yml")
      .reply(404, { message: "Not Found" }, { "x-ratelimit-remaining": "4997", "x-ratelimit-resource": "core" });

    await octokit.rest.repos.get({ owner: "Codertocat", repo: "Hello-World" });
    await octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}/comments", {
      owner: "Codertocat",
      repo: "Hello-World",
      issue_number: 1,
    });
    await expect(
      octokit.rest.repos.getContent({ owner: "Codertocat", repo: "Hello-World", path: ".github/okstra.yml" }),
    ).rejects.toMatchObject({ status: 404 });

    const text = await metrics.registry.metrics();
    expect(text).toContain('okstra_github_requests_total{method="GET",route="/repos/{owner}/{repo}",status="200"} 1');
    expect(text).toContain(
      'okstra_github_requests_total{method="GET",route="/repos/{owner}/{repo}/issues/{issue_number}/comments",status="200"} 1',
    );
    expect(text).toContain(
      'okstra_github_requests_total{method="GET",route="/repos/{owner}/{repo}/contents/{path}",status="404"} 1',
    );
    expect(text).toContain('okstra_github_rate_limit_remaining{resource="core"} 4997');
  });

  it("turns literal URLs (pagination links) into templates", () => {
    expect(routeTemplate("https://api.github.com/repositories/1296269/issues?page=2")).toBe(
      "/repositories/{id}/issues",
    );
    expect(routeTemplate("https://ghe.example/api/v3/repos/o/r/commits/6dcb09b5b57875f334f61aebed695e2e4193db5e")).toBe(
      "/repos/o/r/commits/{sha}",
    );
  });
});
