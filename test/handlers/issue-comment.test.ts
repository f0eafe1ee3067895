import { beforeEach, describe, expect, it } from "@jest/globals";
import { createHmac } from "node:crypto";
import { httpMock } from "../helpers/http-mock.js";
import {
  createTestApp,
  INSTALLATION_TOKEN,
  mockInstallationToken,
  WEBHOOK_SECRET,
  type TestApp,
} from "../helpers/probot.js";
import { issueCommentPayload, type CommentAdjustment } from "../helpers/webhooks.js";

const REPO = "/repos/Codertocat/Hello-World";
const COMMENT_ID = 492700400;

let app: TestApp;
beforeEach(async () => {
  app = await createTestApp();
});

async function deliver(action: "created" | "edited" | "deleted", adjust: CommentAdjustment, deliveryId = "delivery-1") {
  await app.probot.receive({
    id: deliveryId,
    name: "issue_comment",
    payload: issueCommentPayload(action, adjust) as never,
  });
  await app.queue.drain();
}

/** Every command starts the same way: token, permission, then — for a commenter with write access only — default branch and config (absent). */
function mockCommandStart(
  permission: { permission: string; role_name: string } = { permission: "admin", role_name: "admin" },
  login = "Codertocat",
) {
  mockInstallationToken();
  // Every call of the job is made with the installation token.
  const github = httpMock().matchHeader("authorization", `token ${INSTALLATION_TOKEN}`);
  if (["write", "maintain", "admin"].includes(permission.role_name)) {
    github
      .get(REPO)
      .reply(200, { id: 1296269, name: "Hello-World", full_name: "Codertocat/Hello-World", default_branch: "main" });
    github.get(`${REPO}/contents/.github/okstra.yml`).query({ ref: "main" }).reply(404, { message: "Not Found" });
  }
  github.get(`${REPO}/collaborators/${login}/permission`).reply(200, { ...permission, user: { login } });
  return github;
}

function expectEyes(github: ReturnType<typeof httpMock>, commentId = COMMENT_ID) {
  github
    .post(`${REPO}/issues/comments/${commentId}/reactions`, { content: "eyes" })
    .reply(201, { id: 1, content: "eyes" });
}

/** Captures the body of the comment okstra posts on the issue. */
function captureComment(github: ReturnType<typeof httpMock>): { body?: string } {
  const captured: { body?: string } = {};
  github
    .post(`${REPO}/issues/1/comments`, (body: { body: string }) => {
      captured.body = body.body;
      return true;
    })
    .reply(201, {
      id: 9001,
      body: "",
      user: { login: "okstra[bot]" },
      created_at: "2026-11-21T10:00:00Z",
      updated_at: "2026-11-21T10:00:00Z",
    });
  return captured;
}

describe("issue_comment.created", () => {
  it("answers /okstra help with 👀 and the usage", async () => {
    const github = mockCommandStart();
    expectEyes(github);
    const comment = captureComment(github);
    await deliver("created", { body: "/okstra help" });
    expect(comment.body).toContain("<!-- okstra:run-status");
    expect(comment.body).toContain("`/okstra ship STAGES [--base BRANCH]`");
  });

  it("answers /okstra status on an issue with no plan, naming the next command", async () => {
    const github = mockCommandStart();
    expectEyes(github);
    github.get(`${REPO}/git/ref/heads/okstra/ledger`).reply(404, { message: "Not Found" });
    const comment = captureComment(github);
    await deliver("created", { body: "/okstra status" });
    expect(comment.body).toContain("okstra has no plan for #1 yet");
    expect(comment.body).toContain("Next: comment `/okstra plan`");
  });

  it("refuses a read user's command, naming the required permission, and starts no run", async () => {
    const github = mockCommandStart({ permission: "read", role_name: "read" }, "reader");
    const comment = captureComment(github);
    await deliver("created", { body: "/okstra status", login: "reader" });
    expect(comment.body).toContain(
      "@reader has `read` permission on this repository; okstra commands need `write` or higher.",
    );
    // No 👀 (the mock helper would fail on an unmatched POST .../reactions) and no ledger read.
  });

  it("treats a triage role as below write", async () => {
    const github = mockCommandStart({ permission: "read", role_name: "triage" }, "triager");
    const comment = captureComment(github);
    await deliver("created", { body: "/okstra help", login: "triager" });
    expect(comment.body).toContain("has `triage` permission");
  });

  it.each([
    ["a bot", { body: "/okstra plan", login: "renovate[bot]", userType: "Bot" as const }],
    ["okstra itself", { body: "/okstra status", login: "okstra[bot]", userType: "Bot" as const }],
    ["a comment that is not a command", { body: "Thanks! /okstra later maybe" }],
  ])("makes no API call at all for %s", async (_name, adjust) => {
    // No mocks: any request, even the token exchange, would fail the test.
    await deliver("created", adjust);
  });

  it("runs once for the same delivery twice and for two deliveries of one comment", async () => {
    const github = mockCommandStart();
    expectEyes(github);
    captureComment(github);
    await deliver("created", { body: "/okstra help" }, "delivery-A");
    await deliver("created", { body: "/okstra help" }, "delivery-A");
    await deliver("created", { body: "/okstra help" }, "delivery-B");
    // One token, one reaction, one comment: a second run would find no mock and fail.
  });

  it.each([
    ["/okstra frobnicate", "Unknown command `frobnicate`."],
    ["/okstra implement --stage x", "`--stage` must be `auto` or a stage number, got `x`."],
  ])("replies to %s with the exact problem and the usage", async (body, problem) => {
    const github = mockCommandStart();
    expectEyes(github);
    const comment = captureComment(github);
    await deliver("created", { body });
    expect(comment.body).toContain(problem);
    expect(comment.body).toContain("Usage");
  });

  it("lists each bad key path of an invalid .github/okstra.yml and refuses a --fix qa command naming the token", async () => {
    mockInstallationToken();
    const github = httpMock();
    github.get(REPO).reply(200, { default_branch: "trunk" });
    github
      .get(`${REPO}/contents/.github/okstra.yml`)
      .query({ ref: "trunk" })
      .reply(
        200,
        "minimumPermission: sometimes\nverification: { maxRounds: 0 }\nqaCommands:\n  lint: npx eslint . --fix\n",
        { "content-type": "application/vnd.github.raw+json" },
      );
    github.get(`${REPO}/collaborators/Codertocat/permission`).reply(200, { permission: "write", role_name: "write" });
    expectEyes(github);
    const comment = captureComment(github);
    await deliver("created", { body: "/okstra help" });
    expect(comment.body).toContain("- `minimumPermission`:");
    expect(comment.body).toContain("- `verification.maxRounds`:");
    expect(comment.body).toContain("- `qaCommands.lint`: contains the mutating token `--fix`");
  });
});

describe("other issue_comment actions", () => {
  it.each(["edited", "deleted"] as const)("issue_comment.%s never triggers a command", async (action) => {
    await deliver(action, { body: "/okstra help" });
  });
});

describe("webhook authentication", () => {
  it("verifies the signature before anything is queued", async () => {
    const payload = JSON.stringify(issueCommentPayload("created", { body: "/okstra help" }));
    await expect(
      app.probot.webhooks.verifyAndReceive({
        id: "forged",
        name: "issue_comment",
        payload,
        signature: "sha256=" + "0".repeat(64),
      }),
    ).rejects.toThrow();
    await app.queue.drain();
  });

  it("accepts a correctly signed delivery", async () => {
    const github = mockCommandStart();
    expectEyes(github);
    const comment = captureComment(github);
    const payload = JSON.stringify(issueCommentPayload("created", { body: "/okstra help" }));
    const signature = `sha256=${createHmac("sha256", WEBHOOK_SECRET).update(payload).digest("hex")}`;
    await app.probot.webhooks.verifyAndReceive({ id: "signed", name: "issue_comment", payload, signature });
    await app.queue.drain();
    expect(comment.body).toContain("/okstra help");
  });
});
