import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Probot } from "probot";
import { openLocalServices } from "../../src/cli/local-services.js";
import { onStageBranchMoved, type BranchMovedOutcome } from "../../src/engine/reconcile/stage-branch-moved.js";
import type { JobQueue, QueueJob } from "../../src/queue/types.js";
import { git } from "../../src/util/git.js";
import type { LocalRepo } from "../helpers/local-repo.js";
import { createTestAppWith } from "../helpers/probot.js";
import { webhookExample } from "../helpers/webhooks.js";
import {
  approvedRepo,
  branchHead,
  checkRuns,
  ledgerJson,
  ledgerRows,
  pulls,
  verifier,
} from "../verification/verification-repo.js";
import { cloneBranch } from "./user-clone.js";

/**
 * New commits on a stage branch, told by GitHub's `pull_request.synchronize`
 * (the real payload from @octokit/webhooks-examples, adjusted), through the
 * real Probot app and queue; the queued job is carried out by the real engine
 * on the local platform, so what it recorded and re-verified is read back
 * from the ledger, the PR comments and the check runs. (The same job's
 * requests on GitHub are in github-branch-moved.test.ts.)
 */

let repo: LocalRepo;
let probot: Probot;
let queue: JobQueue;
let jobs: QueueJob[];
const outcomes: BranchMovedOutcome[] = [];

beforeAll(async () => {
  repo = await approvedRepo({
    verifiers: [verifier("--findings none --review agree"), verifier("--findings none --review agree")],
  });
  expect((await repo.run("/okstra implement")).code).toBe(0);
  const services = { ...(await openLocalServices(repo.dir, "maintainer")), statusIntervalMs: 0 };
  // The queue's processor is the engine on the local platform instead of GitHub's.
  ({ probot, queue, jobs } = await createTestAppWith(async (job) => {
    if (job.kind !== "stage-branch-moved") throw new Error("not part of this test");
    outcomes.push(await onStageBranchMoved(job, services));
  }));
}, 180_000);

afterAll(async () => {
  await repo?.dispose();
});

/** A real `pull_request.synchronize` payload, pointed at a stage PR of the local platform. */
async function synchronizePayload(
  stage: number,
  move: { before: string; after: string },
  adjust: { head?: string; fork?: boolean } = {},
) {
  const payload = webhookExample("pull_request", "synchronize");
  const pr = (await pulls(repo)).find((p) => p.head === `okstra/1/s${stage}`)!;
  payload.number = pr.number;
  payload.pull_request.number = pr.number;
  payload.pull_request.head.ref = adjust.head ?? pr.head;
  payload.pull_request.head.sha = move.after;
  payload.before = move.before;
  payload.after = move.after;
  if (adjust.fork)
    payload.pull_request.head.repo = { ...payload.pull_request.head.repo, full_name: "someone/Hello-World" };
  payload.installation = { id: 1, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==" };
  return { payload, pr };
}

async function deliver(id: string, payload: Record<string, unknown>) {
  await probot.receive({ id, name: "pull_request", payload: payload as never });
  await queue.drain();
}

const rows = async (stage: number, status: string) =>
  (await ledgerRows(repo)).filter((r) => r.stage === stage && r.status === status);

describe("pull_request.synchronize on a stage PR (real Probot app, local platform)", () => {
  it("a commit pushed on top: user-edit done at the pusher's head, a PR note, and the stage re-verified there in its own run", async () => {
    const verified = await branchHead(repo, 2);
    const alice = await cloneBranch(repo.dir, repo.root, "okstra/1/s2");
    const pushed = await alice.commit("docs/rows.md", "# Rows\n", "docs(inventory): rows");
    await alice.git("push", "--quiet", "origin", "HEAD:okstra/1/s2");
    const { payload, pr } = await synchronizePayload(2, { before: verified, after: pushed });

    await deliver("delivery-sync-1", payload);

    expect(jobs.at(-1)).toEqual({
      kind: "stage-branch-moved",
      deliveryId: "delivery-sync-1",
      repo: { owner: "Codertocat", repo: "Hello-World" },
      installationId: 1,
      issueNumber: 1,
      stage: 2,
      pullRequest: { number: pr.number, head: "okstra/1/s2", before: verified, after: pushed },
      sender: "Codertocat",
      receivedAt: expect.any(String),
    });
    expect(outcomes.at(-1)).toEqual({ reconciled: [2], verification: "verify-2" });
    expect((await rows(2, "done")).at(-1)).toMatchObject({ headCommit: pushed, source: "user-edit" });
    expect((await rows(2, "verified")).map((r) => [r.run, r.verdict, r.headCommit])).toEqual([
      ["verify-1", "accepted", verified],
      ["verify-2", "accepted", pushed],
    ]);
    expect(await ledgerJson(repo, "runs/verify-2/run.json")).toMatchObject({
      batch: [2],
      status: "succeeded",
      trigger: {
        kind: "branch-moved",
        branch: "okstra/1/s2",
        actor: "Codertocat",
        deliveryId: "delivery-sync-1",
        commentId: 0,
      },
    });
    expect((await checkRuns(repo)).filter((c) => c.headSha === pushed).map((c) => [c.name, c.conclusion])).toEqual([
      ["okstra / stage 2", "success"],
    ]);

    const note = (await repo.comments(pr.number)).find((c) => c.body.includes("okstra:head-moved"))!.body;
    expect(note).toContain("(pushed by @Codertocat)");
    expect(note).toContain(`okstra is re-verifying stage 2 at \`${pushed.slice(0, 12)}\` now`);
    expect((await repo.comments()).at(-1)!.body).toMatch(
      /### okstra · `Re-verify stage 2 \(new commits on okstra\/1\/s2\)` · ✅ done · run `verify-2`/,
    );
    expect(await branchHead(repo, 2)).toBe(pushed);
  });

  it("a redelivery of the same webhook is not queued again", async () => {
    const before = jobs.length;
    const { payload } = await synchronizePayload(2, { before: "0".repeat(40), after: await branchHead(repo, 2) });
    await deliver("delivery-sync-1", payload);
    expect(jobs.length).toBe(before);
  });

  it("a rebase to the same tree: the new head recorded with the verdict carried over, no verification run", async () => {
    const verified = await branchHead(repo, 1);
    const alice = await cloneBranch(repo.dir, repo.root, "okstra/1/s1");
    await alice.git("rebase", "--quiet", "--force-rebase", "origin/main");
    await alice.git("push", "--quiet", "--force", "origin", "HEAD:okstra/1/s1");
    const rebased = await branchHead(repo, 1);
    const comments = await repo.comments();

    await deliver("delivery-sync-2", (await synchronizePayload(1, { before: verified, after: rebased })).payload);

    expect(outcomes.at(-1)).toEqual({ reconciled: [1], verification: null });
    expect((await rows(1, "verified")).at(-1)).toMatchObject({
      run: "verify-1",
      headCommit: rebased,
      source: "git-reconcile",
    });
    expect(await repo.ledgerFiles()).not.toContain("tasks/1/runs/verify-3/run.json");
    expect(await repo.comments()).toEqual(comments);
    expect((await git(["rev-parse", `${rebased}^{tree}`], { cwd: repo.dir })).stdout).toBe(
      (await git(["rev-parse", `${verified}^{tree}`], { cwd: repo.dir })).stdout,
    );
  });

  it.each([
    ["a fork's branch of the same name", { fork: true }],
    ["a branch that is not a stage branch", { head: "feature/csv" }],
    ["a group collector branch", { head: "okstra/1/group-1-2" }],
  ])("ignores %s without queueing anything", async (_, adjust) => {
    const before = jobs.length;
    const head = await branchHead(repo, 1);
    await deliver(
      `delivery-ignored-${Math.random()}`,
      (await synchronizePayload(1, { before: head, after: head }, adjust)).payload,
    );
    expect(jobs.length).toBe(before);
  });
});
