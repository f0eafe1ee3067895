import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Probot } from "probot";
import type { CommandOutcome } from "../../src/engine/execute-command.js";
import type { JobQueue, QueueJob, ReverifyJob } from "../../src/queue/types.js";
import type { LocalRepo } from "../helpers/local-repo.js";
import { localEngineApp } from "../helpers/local-engine-app.js";
import { webhookExample } from "../helpers/webhooks.js";
import { branchHead, checkRuns, ledgerJson, ledgerRows } from "../verification/verification-repo.js";

/**
 * "Re-run all checks" sends `check_suite.rerequested`, not `check_run.*`:
 * through the real Probot app, its job is carried out by the engine on the
 * local platform, and what it re-verified is read back from the ledger.
 */

let repo: LocalRepo;
let probot: Probot;
let queue: JobQueue;
let jobs: QueueJob[];
let outcomes: CommandOutcome[];

beforeAll(async () => {
  ({ repo, probot, queue, jobs, outcomes } = await localEngineApp({
    verifierFlags: ["--findings none --review agree", "--findings none --review agree"],
    implement: "/okstra implement",
    carries: (job): job is ReverifyJob => job.kind === "reverify",
  }));
}, 120_000);

afterAll(async () => {
  await repo?.dispose();
});

async function suitePayload(branch: string, headSha: string, sender = { login: "maintainer", type: "User" }) {
  const payload = webhookExample("check_suite", "rerequested");
  payload.check_suite = { ...payload.check_suite, id: 5151, head_branch: branch, head_sha: headSha };
  payload.sender = { ...payload.sender, ...sender };
  payload.installation = { id: 1, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==" };
  return payload;
}

async function deliver(id: string, payload: Record<string, unknown>) {
  await probot.receive({ id, name: "check_suite", payload: payload as never });
  await queue.drain();
}

describe("check_suite.rerequested (Re-run all checks)", () => {
  it("re-verifies the stage whose branch the suite is on", async () => {
    const head = await branchHead(repo, 2);
    await deliver("delivery-suite", await suitePayload("okstra/1/s2", head));

    expect(jobs.at(-1)).toMatchObject({
      kind: "reverify",
      issueNumber: 1,
      checkRun: { id: 5151, action: "suite_rerequested", stage: 2, headSha: head },
    });
    expect(outcomes.at(-1)).toMatchObject({ result: "carried-out" });
    const verified = (await ledgerRows(repo))
      .filter((r) => r.status === "verified" && r.run === "verify-2")
      .map((r) => [r.stage, r.headCommit]);
    expect(verified).toEqual([[2, head]]);
    expect((await ledgerJson(repo, "runs/verify-2/run.json")).trigger).toMatchObject({
      kind: "check-run",
      action: "suite_rerequested",
      command: "check_suite.rerequested (check suite 5151)",
    });
    expect((await checkRuns(repo)).at(-1)).toMatchObject({ name: "okstra / stage 2", externalId: "1/2/verify-2" });
  });

  it.each([
    ["a branch that is not a stage branch", () => suitePayload("main", "a".repeat(40))],
    ["a group branch", () => suitePayload("okstra/1/group-1-2", "a".repeat(40))],
    ["a bot's request", () => suitePayload("okstra/1/s1", "a".repeat(40), { login: "renovate[bot]", type: "Bot" })],
  ])("ignores %s without queueing anything", async (_, payload) => {
    const before = jobs.length;
    await deliver(`delivery-ignored-${Math.random()}`, await payload());
    expect(jobs.length).toBe(before);
  });
});
