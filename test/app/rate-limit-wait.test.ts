import { describe, expect, it } from "@jest/globals";
import { OkstraOctokit } from "../../src/octokit.js";
import { httpMock } from "../helpers/http-mock.js";
import { createTestApp, INSTALLATION_TOKEN, mockInstallationToken } from "../helpers/probot.js";
import { issueCommentPayload } from "../helpers/webhooks.js";

/**
 * Issue #15 item 2 end to end: the real Probot app and GitHub processor with
 * okstra's production Octokit (throttling on, as `okstra start` and `okstra
 * worker` build it), GitHub mocked by nock. GitHub answers the run's status
 * comment with a secondary rate limit and `retry-after: 2`: the run waits
 * about 2 s as asked, completes, and its status comment says it waited for
 * GitHub's rate limit and until when.
 */

const REPO = "/repos/Codertocat/Hello-World";
const COMMENT_ID = 492700400;
const SECONDARY_LIMIT = {
  message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
  documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
};
const STATUS_COMMENT = {
  id: 9001,
  body: "",
  user: { login: "okstra[bot]" },
  created_at: "2026-11-21T10:00:00Z",
  updated_at: "2026-11-21T10:00:00Z",
};

describe("a run that hits GitHub's secondary rate limit (SPEC §8, §10)", () => {
  it.each([403, 429])(
    "a %s with retry-after: 2 on its status comment: the run waits about 2 s, completes, and the comment says it waited until when",
    async (status) => {
      const app = await createTestApp(OkstraOctokit);
      mockInstallationToken();
      const github = httpMock().matchHeader("authorization", `token ${INSTALLATION_TOKEN}`);
      github
        .get(REPO)
        .reply(200, { id: 1296269, name: "Hello-World", full_name: "Codertocat/Hello-World", default_branch: "main" });
      github.get(`${REPO}/contents/.github/okstra.yml`).query({ ref: "main" }).reply(404, { message: "Not Found" });
      github
        .get(`${REPO}/collaborators/Codertocat/permission`)
        .reply(200, { permission: "admin", role_name: "admin", user: { login: "Codertocat" } });
      github
        .post(`${REPO}/issues/comments/${COMMENT_ID}/reactions`, { content: "eyes" })
        .reply(201, { id: 1, content: "eyes" });
      const sent: Array<{ request: string; at: number; body: string }> = [];
      const record = (request: string) => (body: { body: string }) => (
        sent.push({ request, at: Date.now(), body: body.body }), true
      );
      github
        .post(`${REPO}/issues/1/comments`, record("POST"))
        .reply(status, SECONDARY_LIMIT, { "retry-after": "2" })
        .post(`${REPO}/issues/1/comments`, record("POST"))
        .reply(201, STATUS_COMMENT)
        .patch(`${REPO}/issues/comments/9001`, record("PATCH"))
        .reply(200, STATUS_COMMENT);

      await app.probot.receive({
        id: `delivery-limit-${status}`,
        name: "issue_comment",
        payload: issueCommentPayload("created", { body: "/okstra help" }) as never,
      });
      await app.queue.drain();

      expect(sent.map((s) => s.request)).toEqual(["POST", "POST", "PATCH"]);
      const [limited, created, edited] = sent as [(typeof sent)[0], (typeof sent)[0], (typeof sent)[0]];
      // Sent again only once GitHub's 2 s were over.
      expect(created.at - limited.at).toBeGreaterThanOrEqual(1_900);
      // The run completed: its help is on the comment, before and after the notice.
      for (const { body } of [created, edited]) {
        expect(body).toContain("✅ done");
        expect(body).toContain("`/okstra ship STAGES [--base BRANCH]`");
      }
      // The comment's own write was the one that waited: the notice follows it, naming when the wait ended.
      expect(created.body).not.toContain("rate limit");
      const until = edited.body.match(
        /⏳ waited for GitHub's secondary rate limit \(retry-after\) until (\d\d):(\d\d):(\d\d) UTC/,
      );
      expect(until).not.toBeNull();
      const [, h, m, s] = until!.map(Number);
      const untilMs = Date.UTC(
        new Date(limited.at).getUTCFullYear(),
        new Date(limited.at).getUTCMonth(),
        new Date(limited.at).getUTCDate(),
        h,
        m,
        s,
      );
      // "until" is retry-after past the limited request, shown to the second (so cut down by up to 1 s).
      expect(untilMs - limited.at).toBeGreaterThanOrEqual(900);
      expect(untilMs - limited.at).toBeLessThanOrEqual(3_000);
    },
    30_000,
  );
});
