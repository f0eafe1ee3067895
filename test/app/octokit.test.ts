import { describe, expect, it } from "@jest/globals";
import { OkstraOctokit } from "../../src/octokit.js";
import { httpMock } from "../helpers/http-mock.js";

function client() {
  return new OkstraOctokit({ auth: { token: "ghs_test" }, retry: { retryAfterBaseValue: 1 }, throttle: { enabled: false } } as never);
}

describe("OkstraOctokit", () => {
  it.each([409, 422])("never retries a %s: the ledger re-applies a lost compare-and-swap itself", async (status) => {
    httpMock().patch("/repos/o/r/git/refs/heads/okstra/ledger").once().reply(status, { message: "Update is not a fast forward" });
    await expect(client().request("PATCH /repos/{owner}/{repo}/git/refs/heads/okstra/ledger", { owner: "o", repo: "r", sha: "a".repeat(40), force: false })).rejects.toMatchObject({ status });
  });

  it("still retries a 502", async () => {
    httpMock().get("/repos/o/r").reply(502, { message: "Bad Gateway" }).get("/repos/o/r").reply(200, { default_branch: "main" });
    const { data } = await client().request("GET /repos/{owner}/{repo}", { owner: "o", repo: "r" });
    expect(data.default_branch).toBe("main");
  });
});
