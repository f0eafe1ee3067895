import { describe, expect, it } from "@jest/globals";
import { createGitHubPlatform } from "../../../src/platform/github/index.js";
import { OkstraOctokit } from "../../../src/octokit.js";
import { httpMock } from "../../helpers/http-mock.js";
import { API_REPO, REPO, restComment } from "./fixture.js";

/**
 * A 5xx on a creation may come after GitHub made the object. With okstra's
 * real Octokit (retries on), the adapter looks for the comment by its body
 * (marker) or the check run by its external_id before creating again.
 */

function platform() {
  const log = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
  const client = new OkstraOctokit({
    auth: { token: "ghs_test" },
    log,
    retry: { retryAfterBaseValue: 1 },
    throttle: { enabled: false },
  } as never);
  return createGitHubPlatform(client, REPO, { installationToken: async () => "ghs_installation" });
}

const BODY = '<!-- okstra:run-status {"run":"plan-1","trigger":7} -->\nplanning';
const SHA = "d".repeat(40);
const RUN = {
  id: 9001,
  name: "okstra / stage 1",
  head_sha: SHA,
  status: "in_progress",
  conclusion: null,
  html_url: "https://github.com/acme/widgets/runs/9001",
  external_id: "12/1/verify-1",
};

describe("non-idempotent creations after a 5xx", () => {
  it("finds the comment GitHub made despite the 502 and does not post it twice", async () => {
    const posts: unknown[] = [];
    httpMock()
      .post(`${API_REPO}/issues/12/comments`, (body) => posts.push(body) > 0)
      .reply(502, { message: "Server Error" })
      .get(`${API_REPO}/issues/12/comments`)
      .query((query) => typeof query.since === "string" && query.per_page === "100")
      .reply(200, [restComment(41, "someone else"), restComment(42, BODY, "okstra[bot]")]);
    expect(await platform().createComment(12, BODY)).toMatchObject({ id: 42, body: BODY });
    expect(posts).toHaveLength(1);
  });

  it("posts again, once, when the comment is not there", async () => {
    httpMock()
      .post(`${API_REPO}/issues/12/comments`)
      .reply(503, { message: "Service Unavailable" })
      .get(`${API_REPO}/issues/12/comments`)
      .query(true)
      .reply(200, [])
      .post(`${API_REPO}/issues/12/comments`)
      .reply(201, restComment(43, BODY, "okstra[bot]"));
    expect((await platform().createComment(12, BODY)).id).toBe(43);
  });

  it("never retries a creation GitHub refused (4xx)", async () => {
    httpMock().post(`${API_REPO}/issues/12/comments`).reply(422, { message: "Validation Failed" });
    await expect(platform().createComment(12, BODY)).rejects.toMatchObject({ status: 422 });
  });

  it("finds the check run by its external_id instead of creating a second one", async () => {
    const posts: unknown[] = [];
    httpMock()
      .post(`${API_REPO}/check-runs`, (body) => posts.push(body) > 0)
      .reply(500, { message: "Server Error" })
      .get(`${API_REPO}/commits/${SHA}/check-runs`)
      .query({ check_name: "okstra / stage 1", filter: "all", per_page: "100" })
      .reply(200, { total_count: 2, check_runs: [{ ...RUN, id: 9000, external_id: "12/1/verify-0" }, RUN] });
    const run = await platform().createCheckRun({
      name: "okstra / stage 1",
      headSha: SHA,
      status: "in_progress",
      externalId: "12/1/verify-1",
    });
    expect(run).toMatchObject({ id: 9001, name: "okstra / stage 1", headSha: SHA });
    expect(posts).toHaveLength(1);
  });
});
