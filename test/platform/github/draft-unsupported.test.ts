import { describe, expect, it } from "@jest/globals";
import { pino } from "pino";
import { ensurePullRequest } from "../../../src/engine/pull-requests/ensure-pull-request.js";
import { httpMock } from "../../helpers/http-mock.js";
import { API_REPO, githubPlatform, restPull } from "./fixture.js";

/**
 * `draftStagePRs: true` (the default) on a repository without draft pull
 * requests: GitHub refuses the draft with a 422. okstra opens the PR ready
 * for review, says so on it, and asks for no draft there again.
 */

const DRAFTS_UNSUPPORTED = {
  message: "Validation Failed",
  errors: [
    { resource: "PullRequest", code: "custom", message: "Draft pull requests are not supported in this repository." },
  ],
  documentation_url: "https://docs.github.com/rest/pulls/pulls#create-a-pull-request",
  status: "422",
};

const log = pino({ level: "silent" });
const noBodyMerge = (current: string) => ({ kind: "unchanged" as const, body: current });

describe("a repository without draft pull requests", () => {
  it("gets a ready stage PR with a note, and the next PR is not asked as a draft", async () => {
    const created: Array<Record<string, unknown>> = [];
    const notes: string[] = [];
    const github = httpMock();
    github.get(`${API_REPO}/pulls`).query(true).times(2).reply(200, []);
    github
      .post(`${API_REPO}/pulls`, (body: Record<string, unknown>) => body.draft === true)
      .reply(422, DRAFTS_UNSUPPORTED);
    github
      .post(`${API_REPO}/pulls`, (body: Record<string, unknown>) => body.draft === false && created.push(body) > 0)
      .times(2)
      .reply(201, (_uri, body: any) =>
        restPull({
          number: body.head === "okstra/12/s1" ? 101 : 102,
          draft: false,
          head: { ref: body.head, sha: "a".repeat(40), label: `acme:${body.head}` },
        }),
      );
    github
      .post(`${API_REPO}/issues/101/comments`, (body: { body: string }) => notes.push(body.body) > 0)
      .reply(201, {
        id: 7,
        body: "",
        user: { login: "okstra[bot]" },
        created_at: "2026-01-01T00:00:00Z",
        updated_at: "2026-01-01T00:00:00Z",
        html_url: "u",
      })
      .post(`${API_REPO}/issues/102/comments`, (body: { body: string }) => notes.push(body.body) > 0)
      .reply(201, {
        id: 8,
        body: "",
        user: { login: "okstra[bot]" },
        created_at: "2026-01-01T00:00:00Z",
        updated_at: "2026-01-01T00:00:00Z",
        html_url: "u",
      });

    const platform = githubPlatform();
    const first = await ensurePullRequest({
      platform,
      head: "okstra/12/s1",
      base: "main",
      title: "Stage 1",
      body: "b",
      draft: true,
      mergeBody: noBodyMerge,
      log,
      describe: { stage: 1 },
    });
    const second = await ensurePullRequest({
      platform,
      head: "okstra/12/s2",
      base: "main",
      title: "Stage 2",
      body: "b",
      draft: true,
      mergeBody: noBodyMerge,
      log,
      describe: { stage: 2 },
    });

    expect([first, second].map((pr) => [pr.number, pr.created])).toEqual([
      [101, true],
      [102, true],
    ]);
    // One refused draft, then two ready PRs: the second was never asked as a draft.
    expect(created.map((body) => [body.head, body.draft])).toEqual([
      ["okstra/12/s1", false],
      ["okstra/12/s2", false],
    ]);
    expect(notes).toHaveLength(2);
    expect(notes[0]).toContain(
      "this repository does not support draft pull requests, so okstra opened this one ready for review",
    );
    expect(notes[0]).toContain("**not verified yet**");
  });
});
