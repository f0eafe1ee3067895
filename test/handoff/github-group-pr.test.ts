import { describe, expect, it } from "@jest/globals";
import { Octokit } from "@octokit/rest";
import { announceOnStagePrs, ensureGroupPullRequest } from "../../src/engine/handoff/group-pr.js";
import { createGitHubPlatform } from "../../src/platform/github/index.js";
import type { Platform } from "../../src/platform/types.js";
import { renderGroupPrBody, shippedCommentMarker } from "../../src/render/group-pr-body.js";
import { silentLogger } from "../../src/util/log.js";
import { httpMock } from "../helpers/http-mock.js";
import { keep, REPO, restPull } from "./github-fixture.js";

const BRANCH = "okstra/1/group-1-2";
const TITLE = "Stages 1, 2: Export the inventory as CSV (#1)";

function github(): Platform {
  // Octokit logs every 4xx through console.error; the race test asserts that outcome itself.
  const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
  return createGitHubPlatform(
    new Octokit({ auth: "ghs_test", log: quiet }),
    { owner: "Codertocat", repo: "Hello-World" },
    { installationToken: async () => "ghs_test" },
  );
}

function body(mergeCommit: string): string {
  return renderGroupPrBody({
    issue: 1,
    taskTitle: "Export the inventory as CSV",
    branch: BRANCH,
    base: "main",
    baseCommit: "c".repeat(40),
    stages: [
      {
        stage: 1,
        title: "CSV field escaping",
        verdict: "accepted",
        verifiedHead: "1".repeat(40),
        reportUrl: "https://github.com/Codertocat/Hello-World/blob/okstra/ledger/tasks/1/runs/verify-1/report.md",
        mergeCommit,
        stagePr: { number: 101, url: "u" },
      },
      {
        stage: 2,
        title: "Per-item value",
        verdict: "accepted",
        verifiedHead: "2".repeat(40),
        mergeCommit: "e".repeat(40),
        stagePr: { number: 102, url: "u" },
      },
    ],
  });
}

const openByHead = { state: "open", head: `Codertocat:${BRANCH}`, per_page: "100" };
const ensure = (rendered: string) =>
  ensureGroupPullRequest({
    platform: github(),
    branch: BRANCH,
    base: "main",
    title: TITLE,
    body: rendered,
    log: silentLogger,
  });

describe("the group PR over the GitHub adapter", () => {
  it("opens it ready for review (not a draft) from the collector branch to the base", async () => {
    const posted: Array<Record<string, unknown>> = [];
    httpMock()
      .get(`${REPO}/pulls`)
      .query(openByHead)
      .reply(200, [])
      .post(`${REPO}/pulls`, keep(posted))
      .reply(201, restPull(106, BRANCH, "main"));
    expect(await ensure(body("d".repeat(40)))).toMatchObject({
      number: 106,
      url: "https://github.com/Codertocat/Hello-World/pull/106",
      created: true,
      updated: false,
    });
    expect(posted).toEqual([{ title: TITLE, head: BRANCH, base: "main", draft: false, body: body("d".repeat(40)) }]);
    expect(posted[0].body).toContain(
      "| 1 | CSV field escaping | ✅ accepted at `1111111` | [report](https://github.com/Codertocat/Hello-World/blob/okstra/ledger/tasks/1/runs/verify-1/report.md) | #101 | `dddddddddddd` |",
    );
  });

  it("reuses the open PR of the collector branch: only okstra's section is rewritten, people's text is kept, no second PR", async () => {
    const people = "Please merge after the release freeze.\n";
    const patched: Array<Record<string, unknown>> = [];
    httpMock()
      .get(`${REPO}/pulls`)
      .query(openByHead)
      .reply(200, [
        restPull(106, BRANCH, "main", {
          title: TITLE,
          body: `${body("d".repeat(40))}\n\n${people}`.replace(/\n/g, "\r\n"),
        }),
      ])
      .patch(`${REPO}/pulls/106`, keep(patched))
      .reply(200, restPull(106, BRANCH, "main"));
    expect(await ensure(body("f".repeat(40)))).toMatchObject({ number: 106, created: false, updated: true });
    expect(patched).toEqual([{ body: `${body("f".repeat(40))}\n\n${people}` }]);

    // Nothing changed since: no write at all.
    httpMock()
      .get(`${REPO}/pulls`)
      .query(openByHead)
      .reply(200, [restPull(106, BRANCH, "main", { title: TITLE, body: body("f".repeat(40)) })]);
    expect(await ensure(body("f".repeat(40)))).toMatchObject({ number: 106, created: false, updated: false });
  });

  it("reuses the PR a racing create opened first (422), never opening a second", async () => {
    httpMock()
      .get(`${REPO}/pulls`)
      .query(openByHead)
      .reply(200, [])
      .post(`${REPO}/pulls`)
      .reply(422, {
        message: "Validation Failed",
        errors: [
          {
            resource: "PullRequest",
            code: "custom",
            message: `A pull request already exists for Codertocat:${BRANCH}.`,
          },
        ],
      })
      .get(`${REPO}/pulls`)
      .query(openByHead)
      .reply(200, [restPull(106, BRANCH, "main", { title: TITLE, body: body("d".repeat(40)) })]);
    expect(await ensure(body("d".repeat(40)))).toMatchObject({ number: 106, created: false, updated: false });
  });

  it("tells each open stage PR where it ships once: a comment already there is not posted again", async () => {
    const posted: Array<Record<string, unknown>> = [];
    httpMock()
      .get(`${REPO}/pulls/101`)
      .reply(200, restPull(101, "okstra/1/s1", "main"))
      .get(`${REPO}/issues/101/comments`)
      .query({ per_page: "100" })
      .reply(200, [
        {
          id: 1,
          body: `${shippedCommentMarker(106, 1)}\n🚢 …`,
          user: { login: "okstra[bot]" },
          created_at: "2026-11-21T10:00:00Z",
          updated_at: "2026-11-21T10:00:00Z",
        },
      ])
      .get(`${REPO}/pulls/102`)
      .reply(200, restPull(102, "okstra/1/s2", "main"))
      .get(`${REPO}/issues/102/comments`)
      .query({ per_page: "100" })
      .reply(200, [])
      .post(`${REPO}/issues/102/comments`, keep(posted))
      .reply(201, {
        id: 2,
        body: "",
        user: { login: "okstra[bot]" },
        created_at: "2026-11-21T10:00:00Z",
        updated_at: "2026-11-21T10:00:00Z",
      });
    const commented = await announceOnStagePrs({
      platform: github(),
      group: 106,
      base: "main",
      stagePrs: [
        { stage: 1, number: 101 },
        { stage: 2, number: 102 },
      ],
      log: silentLogger,
    });
    expect(commented).toEqual([102]);
    expect(posted).toEqual([{ body: expect.stringContaining("🚢 Stage 2 ships in #106 (stages 1, 2 → `main`)") }]);
  });
});
