import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Probot } from "probot";
import type { CommandOutcome } from "../../src/engine/execute-command.js";
import type { CommandJob, JobQueue, QueueJob, ReverifyJob } from "../../src/queue/types.js";
import { httpMock } from "../helpers/http-mock.js";
import type { LocalRepo } from "../helpers/local-repo.js";
import { localEngineApp } from "../helpers/local-engine-app.js";
import { createTestApp, INSTALLATION_TOKEN, mockInstallationToken } from "../helpers/probot.js";
import { webhookExample } from "../helpers/webhooks.js";
import { branchHead, checkRuns, ledgerJson, ledgerRows } from "./verification-repo.js";

/**
 * Re-verification from the checks UI, through the real Probot app: GitHub's
 * payloads (from @octokit/webhooks-examples, adjusted) go through okstra's
 * handler and queue; the queued job is carried out by the real engine on the
 * local platform, so what it re-verified is read back from the ledger and the
 * check-run files. (The GitHub adapter's check-run requests are covered with
 * nock in github-check-runs.test.ts.)
 */

let repo: LocalRepo;
let probot: Probot;
let queue: JobQueue;
let jobs: QueueJob[];
let outcomes: CommandOutcome[];

beforeAll(async () => {
  // The queue's processor is the engine on the local platform instead of GitHub's.
  ({ repo, probot, queue, jobs, outcomes } = await localEngineApp({
    verifierFlags: ["--findings F-1,F-2 --review agree", "--findings none --review agree"],
    implement: "/okstra implement",
    carries: (job): job is CommandJob | ReverifyJob =>
      job.kind === undefined || job.kind === "command" || job.kind === "reverify",
  }));
}, 120_000);

afterAll(async () => {
  await repo?.dispose();
});

/** A real `check_run` payload, pointed at one of okstra's stage check runs on this repository's local platform. */
async function checkRunPayload(
  action: "rerequested" | "requested_action",
  stage: number,
  adjust: { identifier?: string; sender?: string; name?: string } = {},
) {
  const payload = webhookExample("check_run", action);
  const created = (await checkRuns(repo)).find((c) => c.name === `okstra / stage ${stage}`)!;
  payload.check_run = {
    ...payload.check_run,
    id: created.id,
    name: adjust.name ?? created.name,
    external_id: created.externalId,
    head_sha: created.headSha,
  };
  payload.sender = { ...payload.sender, login: adjust.sender ?? "maintainer", type: "User" };
  payload.installation = { id: 1, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==" };
  if (action === "requested_action") payload.requested_action = { identifier: adjust.identifier ?? "reverify" };
  return payload;
}

async function deliver(id: string, payload: Record<string, unknown>) {
  await probot.receive({ id, name: "check_run", payload: payload as never });
  await queue.drain();
}

const verifiedBy = async (run: string) =>
  (await ledgerRows(repo))
    .filter((r) => r.status === "verified" && r.run === run)
    .map((r) => [r.stage, r.verdict, r.headCommit]);

describe("re-verifying one stage from its check run (real Probot app)", () => {
  it("check_run.rerequested re-verifies only the stage its external_id names", async () => {
    expect((await checkRuns(repo)).map((c) => c.externalId)).toEqual(["1/1/verify-1", "1/2/verify-1"]);
    await deliver("delivery-rerequested", await checkRunPayload("rerequested", 2));

    expect(jobs.at(-1)).toMatchObject({
      kind: "reverify",
      issueNumber: 1,
      sender: "maintainer",
      checkRun: { action: "rerequested", stage: 2, run: "verify-1" },
    });
    expect(outcomes.at(-1)).toMatchObject({ result: "carried-out" });
    expect(await verifiedBy("verify-2")).toEqual([[2, "blocked", await branchHead(repo, 2)]]);
    const manifest = await ledgerJson(repo, "runs/verify-2/run.json");
    expect(manifest).toMatchObject({
      phase: "verification",
      batch: [2],
      status: "succeeded",
      trigger: { kind: "check-run", action: "rerequested", actor: "maintainer" },
    });
    const runs = await checkRuns(repo);
    expect(runs.slice(2).map((c) => [c.name, c.externalId, c.conclusion])).toEqual([
      ["okstra / stage 2", "1/2/verify-2", "failure"],
    ]);
    // Its own status comment on the task's issue.
    expect((await repo.comments()).at(-1)!.body).toMatch(/### okstra · `Re-verify stage 2` · ✅ done · run `verify-2`/);
  });

  it("a redelivery of the same webhook re-verifies nothing more", async () => {
    const before = jobs.length;
    await deliver("delivery-rerequested", await checkRunPayload("rerequested", 2));
    expect(jobs.length).toBe(before);
    expect(await repo.ledgerFiles()).not.toContain("tasks/1/runs/verify-3/run.json");
  });

  it("check_run.requested_action `reverify` re-verifies only that stage", async () => {
    await deliver("delivery-button", await checkRunPayload("requested_action", 1));
    expect(jobs.at(-1)).toMatchObject({ kind: "reverify", checkRun: { action: "requested_action", stage: 1 } });
    expect(await verifiedBy("verify-3")).toEqual([[1, "accepted", await branchHead(repo, 1)]]);
    expect((await ledgerJson(repo, "runs/verify-3/run.json")).batch).toEqual([1]);
    expect((await checkRuns(repo)).slice(3).map((c) => [c.name, c.externalId, c.conclusion])).toEqual([
      ["okstra / stage 1", "1/1/verify-3", "success"],
    ]);
  });

  it.each([
    ["another requested action", () => checkRunPayload("requested_action", 1, { identifier: "lgtm" })],
    ["a check run okstra did not create", () => checkRunPayload("rerequested", 1, { name: "ci / build" })],
    [
      "a bot's request",
      () =>
        checkRunPayload("rerequested", 1, { sender: "renovate[bot]" }).then((p) => ({
          ...p,
          sender: { ...p.sender, type: "Bot" },
        })),
    ],
  ])("ignores %s without queueing anything", async (_, payload) => {
    const before = jobs.length;
    await deliver(`delivery-ignored-${jobs.length}-${Math.random()}`, await payload());
    expect(jobs.length).toBe(before);
  });

  it("refuses a sender without the configured permission, checked live in the job, and starts no run", async () => {
    await repo.setPermissions({ reader: "read" });
    const runsBefore = (await repo.ledgerFiles()).filter((f) => f.endsWith("/run.json")).length;
    await deliver("delivery-reader", await checkRunPayload("rerequested", 2, { sender: "reader" }));
    expect(outcomes.at(-1)).toMatchObject({ result: "refused" });
    expect((await repo.comments()).at(-1)!.body).toContain(
      "@reader has `read` permission on this repository; re-verifying a stage needs `write` or higher.",
    );
    expect((await repo.ledgerFiles()).filter((f) => f.endsWith("/run.json")).length).toBe(runsBefore);
  });
});

describe("re-verification jobs on GitHub (real Probot app and processor, nock)", () => {
  it("checks the sender's permission live through the API and answers a refusal on the task's issue", async () => {
    const app = await createTestApp();
    const payload = webhookExample("check_run", "rerequested");
    payload.check_run = { ...payload.check_run, id: 4242, name: "okstra / stage 2", external_id: "7/2/verify-1" };
    payload.sender = { ...payload.sender, login: "reader", type: "User" };
    const api = `/repos/${payload.repository.full_name}`;
    mockInstallationToken(payload.installation.id);
    const github = httpMock().matchHeader("authorization", `token ${INSTALLATION_TOKEN}`);
    // Authorised before the configuration is read: a reader's request never reaches okstra.yml.
    github
      .get(`${api}/collaborators/reader/permission`)
      .reply(200, { permission: "read", role_name: "read", user: { login: "reader" } });
    let refusal = "";
    github
      .post(`${api}/issues/7/comments`, (body: { body: string }) => {
        refusal = body.body;
        return true;
      })
      .reply(201, {
        id: 9002,
        body: "",
        user: { login: "okstra[bot]" },
        created_at: "2026-11-21T10:00:00Z",
        updated_at: "2026-11-21T10:00:00Z",
      });

    await app.probot.receive({ id: "delivery-github-reader", name: "check_run", payload: payload as never });
    await app.queue.drain();
    expect(refusal).toContain(
      "@reader has `read` permission on this repository; re-verifying a stage needs `write` or higher.",
    );
    expect(refusal).toContain("Re-verify stage 2 (check run okstra / stage 2, requested by @reader)");
  });
});
