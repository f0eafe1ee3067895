import { describe, expect, it } from "@jest/globals";
import { MAX_RATE_LIMIT_WAIT_SECONDS, OkstraOctokit, onRateLimitWait, type RateLimitWait } from "../../src/octokit.js";
import { httpMock } from "../helpers/http-mock.js";

function client() {
  return new OkstraOctokit({
    auth: { token: "ghs_test" },
    retry: { retryAfterBaseValue: 1 },
    throttle: { enabled: false },
  } as never);
}

describe("OkstraOctokit", () => {
  it.each([409, 422])("never retries a %s: the ledger re-applies a lost compare-and-swap itself", async (status) => {
    httpMock()
      .patch("/repos/o/r/git/refs/heads/okstra/ledger")
      .once()
      .reply(status, { message: "Update is not a fast forward" });
    await expect(
      client().request("PATCH /repos/{owner}/{repo}/git/refs/heads/okstra/ledger", {
        owner: "o",
        repo: "r",
        sha: "a".repeat(40),
        force: false,
      }),
    ).rejects.toMatchObject({ status });
  });

  it("still retries a 502", async () => {
    httpMock()
      .get("/repos/o/r")
      .reply(502, { message: "Bad Gateway" })
      .get("/repos/o/r")
      .reply(200, { default_branch: "main" });
    const { data } = await client().request("GET /repos/{owner}/{repo}", { owner: "o", repo: "r" });
    expect(data.default_branch).toBe("main");
  });
});

describe("OkstraOctokit waits out GitHub's rate limits as GitHub asks (SPEC §10)", () => {
  /** Throttling on, as in production; a silent log. */
  function throttled() {
    const log = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
    return new OkstraOctokit({ auth: { token: "ghs_test" }, log, retry: { retryAfterBaseValue: 1 } } as never);
  }
  const COMMENT = {
    id: 1,
    body: "hi",
    user: { login: "okstra[bot]" },
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
    html_url: "u",
  };
  const post = (client: InstanceType<typeof OkstraOctokit>) =>
    client.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", {
      owner: "o",
      repo: "r",
      issue_number: 1,
      body: "hi",
    });

  it.each([
    [403, "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."],
    [429, "You have exceeded a secondary rate limit."],
  ])(
    "a %s secondary limit with retry-after: 2 waits about 2 s, then the write goes through once",
    async (status, message) => {
      const client = throttled();
      const waits: RateLimitWait[] = [];
      onRateLimitWait(client, (wait) => waits.push(wait));
      httpMock()
        .post("/repos/o/r/issues/1/comments")
        .reply(
          status,
          { message, documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api" },
          { "retry-after": "2" },
        )
        .post("/repos/o/r/issues/1/comments")
        .reply(201, COMMENT);
      const started = Date.now();
      const { data } = await post(client);
      const waited = Date.now() - started;
      expect(data.id).toBe(1);
      expect(waited).toBeGreaterThanOrEqual(1_900);
      expect(waits).toEqual([
        {
          kind: "secondary",
          until: expect.any(Date),
          request: "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
        },
      ]);
      expect(waits[0]!.until.getTime() - started).toBeGreaterThanOrEqual(1_900);
    },
  );

  it("a primary limit waits until x-ratelimit-reset", async () => {
    const client = throttled();
    const waits: RateLimitWait[] = [];
    onRateLimitWait(client, (wait) => waits.push(wait));
    const reset = Math.floor(Date.now() / 1000) + 1;
    httpMock()
      .get("/repos/o/r")
      .reply(
        403,
        { message: "API rate limit exceeded for installation ID 1." },
        { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset) },
      )
      .get("/repos/o/r")
      .reply(200, { default_branch: "main" });
    const { data } = await client.request("GET /repos/{owner}/{repo}", { owner: "o", repo: "r" });
    expect(data.default_branch).toBe("main");
    expect(waits.map((w) => w.kind)).toEqual(["primary"]);
    expect(Date.now()).toBeGreaterThanOrEqual(reset * 1000);
  });

  it("gives up on a wait longer than the bound instead of stalling the run for an hour", async () => {
    const client = throttled();
    httpMock()
      .post("/repos/o/r/issues/1/comments")
      .reply(
        403,
        { message: "You have exceeded a secondary rate limit." },
        { "retry-after": String(MAX_RATE_LIMIT_WAIT_SECONDS + 1) },
      );
    await expect(post(client)).rejects.toMatchObject({ status: 403 });
  });
});
