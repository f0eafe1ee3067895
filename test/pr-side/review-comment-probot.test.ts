import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Probot } from "probot";
import type { CommandOutcome } from "../../src/engine/execute-command.js";
import { localDiffHunk } from "../../src/platform/local/review-diff.js";
import { addLocalReviewComment } from "../../src/platform/local/review-records.js";
import type { CommandJob, JobQueue, QueueJob } from "../../src/queue/types.js";
import { httpMock } from "../helpers/http-mock.js";
import type { LocalRepo } from "../helpers/local-repo.js";
import { localEngineApp } from "../helpers/local-engine-app.js";
import { createTestApp, INSTALLATION_TOKEN, mockInstallationToken } from "../helpers/probot.js";
import { webhookExample } from "../helpers/webhooks.js";
import { ledgerRows, pulls } from "../verification/verification-repo.js";
import { reviewComments } from "./pr-repo.js";

/**
 * `pull_request_review_comment.created` through the real Probot app (SPEC
 * §2, §15.1): the handler queues the inline command with its file and line,
 * the engine acts on the PR's task and answers in the comment's thread.
 */

function reviewCommentPayload(adjust: {
  id: number;
  body: string;
  pull: number;
  head: string;
  path: string;
  line: number;
  login?: string;
  type?: "User" | "Bot";
}) {
  const payload = webhookExample("pull_request_review_comment", "created");
  const login = adjust.login ?? "maintainer";
  payload.comment = {
    ...payload.comment,
    id: adjust.id,
    body: adjust.body,
    path: adjust.path,
    line: adjust.line,
    side: "RIGHT",
    user: { ...payload.comment.user, login, type: adjust.type ?? "User" },
  };
  payload.pull_request = {
    ...payload.pull_request,
    number: adjust.pull,
    head: { ...payload.pull_request.head, ref: adjust.head },
  };
  payload.sender = { ...payload.sender, login, type: adjust.type ?? "User" };
  payload.installation = { id: 1, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==" };
  return payload;
}

describe("an inline review command on a stage PR (real Probot app, engine on the local platform)", () => {
  let repo: LocalRepo;
  let probot: Probot;
  let queue: JobQueue;
  let jobs: QueueJob[];
  let outcomes: CommandOutcome[];

  beforeAll(async () => {
    ({ repo, probot, queue, jobs, outcomes } = await localEngineApp({
      verifierFlags: ["--findings none --review agree", "--findings none --review agree"],
      implement: "/okstra implement --stage 1",
      carries: (job): job is CommandJob => job.kind === undefined || job.kind === "command",
    }));
  }, 120_000);
  afterAll(() => repo?.dispose());

  it("queues it with its file and line, verifies the PR's stage and answers in the thread", async () => {
    const [pr] = await pulls(repo);
    const hunk = await localDiffHunk(repo.dir, pr as never, "src/csv.js", 3);
    // The comment exists on the platform before its webhook is delivered, as on GitHub.
    const comment = await addLocalReviewComment(repo.dir, pr!.number, {
      author: "maintainer",
      body: "/okstra verify",
      path: "src/csv.js",
      line: 3,
      diffHunk: hunk,
    });
    await probot.receive({
      id: "delivery-inline",
      name: "pull_request_review_comment",
      payload: reviewCommentPayload({
        id: comment.id,
        body: "/okstra verify",
        pull: pr!.number,
        head: pr!.head,
        path: "src/csv.js",
        line: 3,
      }) as never,
    });
    await queue.drain();

    expect(jobs.at(-1)).toMatchObject({
      issueNumber: pr!.number,
      isPullRequest: true,
      reviewComment: { path: "src/csv.js", line: 3, threadRoot: comment.id },
      comment: { id: comment.id },
    });
    expect(outcomes.at(-1)).toMatchObject({ result: "carried-out" });
    expect((await ledgerRows(repo)).filter((r) => r.status === "verified").map((r) => [r.run, r.stage])).toEqual([
      ["verify-1", 1],
      ["verify-2", 1],
    ]);
    const [, reply] = await reviewComments(repo, pr!.number);
    expect([reply!.inReplyTo, reply!.author]).toEqual([comment.id, "okstra[bot]"]);
    expect(reply!.body).toMatch(/### okstra · `\/okstra verify` · ✅ done · run `verify-2`/);
  }, 60_000);

  it("ignores a bot's review comment and a review comment that is not a command", async () => {
    const before = jobs.length;
    const base = { pull: 2, head: "okstra/1/s1", path: "src/csv.js", line: 3 };
    await probot.receive({
      id: "delivery-bot",
      name: "pull_request_review_comment",
      payload: reviewCommentPayload({
        ...base,
        id: 900,
        body: "/okstra verify",
        login: "okstra[bot]",
        type: "Bot",
      }) as never,
    });
    await probot.receive({
      id: "delivery-chat",
      name: "pull_request_review_comment",
      payload: reviewCommentPayload({ ...base, id: 901, body: "nice" }) as never,
    });
    await queue.drain();
    expect(jobs.length).toBe(before);
  });
});

describe("an inline review command on a PR okstra did not open (real Probot app and GitHub processor, nock)", () => {
  it("reacts 👀, reads the PR and refuses in the comment's thread (on its first comment) with what to do instead", async () => {
    const app = await createTestApp();
    const payload = reviewCommentPayload({
      id: 284312630,
      body: "/okstra status",
      pull: 2,
      head: "changes",
      path: "README.md",
      line: 1,
    });
    // Written as a reply inside a review thread: GitHub takes answers only on the thread's first comment.
    payload.comment.in_reply_to_id = 284312600;
    const api = `/repos/${payload.repository.full_name}`;
    mockInstallationToken(1);
    const github = httpMock().matchHeader("authorization", `token ${INSTALLATION_TOKEN}`);
    github.get(api).reply(200, {
      id: 1,
      name: payload.repository.name,
      full_name: payload.repository.full_name,
      default_branch: "main",
    });
    github.get(`${api}/contents/.github/okstra.yml`).query({ ref: "main" }).reply(404, { message: "Not Found" });
    github
      .get(`${api}/collaborators/maintainer/permission`)
      .reply(200, { permission: "admin", role_name: "admin", user: { login: "maintainer" } });
    github
      .post(`${api}/pulls/comments/284312630/reactions`, { content: "eyes" })
      .reply(201, { id: 1, content: "eyes" });
    // The webhook's pull request is GitHub's REST one plus webhook-only fields: `custom_properties` on its repositories is not in the REST response.
    const restRepo = ({ custom_properties: _omitted, ...repo }: Record<string, unknown>) => repo;
    const pull = payload.pull_request;
    github.get(`${api}/pulls/2`).reply(200, {
      ...pull,
      head: { ...pull.head, ref: "changes", repo: restRepo(pull.head.repo) },
      base: { ...pull.base, repo: restRepo(pull.base.repo) },
    });
    let refusal = "";
    github
      .post(`${api}/pulls/2/comments/284312600/replies`, (body: { body: string }) => Boolean((refusal = body.body)))
      .reply(201, {
        ...payload.comment,
        id: 284312631,
        body: "",
        user: { login: "okstra[bot]", type: "Bot" },
        in_reply_to_id: 284312600,
      });

    await app.probot.receive({
      id: "delivery-foreign",
      name: "pull_request_review_comment",
      payload: payload as never,
    });
    await app.queue.drain();
    expect(refusal).toContain(
      "#2 is not a pull request okstra opened (its head `changes` is not an okstra stage or group branch)",
    );
    expect(refusal).toContain("Comment `/okstra plan` on the issue");
  });
});
