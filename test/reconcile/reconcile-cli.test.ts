import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { openLocalServices } from "../../src/cli/local-services.js";
import { reconcileStageHeads } from "../../src/engine/reconcile/reconcile-stage-heads.js";
import { engineServices } from "../../src/engine/context.js";
import { git, isAncestor } from "../../src/util/git.js";
import type { LocalRepo } from "../helpers/local-repo.js";
import {
  approvedRepo,
  branchHead,
  checkRuns,
  ledgerJson,
  ledgerRows,
  pulls,
  verifier,
} from "../verification/verification-repo.js";
import { ALICE, cloneBranch } from "./user-clone.js";

/**
 * Stale-SHA reconciliation and foreign commits (SPEC §10) on the local
 * platform, through the CLI: stages 1 and 2 of the sample are implemented
 * and verified `accepted` by the recorded workers, then Alice works on their
 * branches with plain git — a rebase that changes nothing, a commit on top,
 * a force-push with new content — and the next `/okstra …` command finds it.
 * The tests run in order on one repository, as the story does.
 */

let repo: LocalRepo;
beforeAll(async () => {
  repo = await approvedRepo({
    verifiers: [verifier("--findings none --review agree"), verifier("--findings none --review agree")],
  });
  expect((await repo.run("/okstra implement")).code).toBe(0);
}, 180_000);

afterAll(async () => {
  await repo?.dispose();
});

const rows = async (stage: number, status: string) =>
  (await ledgerRows(repo)).filter((r) => r.stage === stage && r.status === status);
const stagePr = async (stage: number) => (await pulls(repo)).find((p) => p.head === `okstra/1/s${stage}`)!;
const tree = async (commit: string) => (await git(["rev-parse", `${commit}^{tree}`], { cwd: repo.dir })).stdout.trim();
const lastComment = async (issue = 1) => (await repo.comments(issue)).at(-1)?.body ?? "";
/** A PR nobody commented on has no comments directory yet. */
const prComments = (pr: number) => repo.comments(pr).catch(() => []);
const short = (sha: string) => sha.slice(0, 12);

describe("a done stage's branch moved under okstra (local platform, CLI)", () => {
  let aliceCommit = "";

  it("rebased to the same tree: a git-reconcile done and the verdict carried to the new head with its check run — nothing to verify again", async () => {
    const verified = await branchHead(repo, 1);
    const alice = await cloneBranch(repo.dir, repo.root, "okstra/1/s1");
    await alice.git("rebase", "--quiet", "--force-rebase", "origin/main");
    await alice.git("push", "--quiet", "--force", "origin", "HEAD:okstra/1/s1");
    const rebased = await branchHead(repo, 1);
    expect(rebased).not.toBe(verified);
    expect(await tree(rebased)).toBe(await tree(verified));

    const verify = await repo.run("/okstra verify");
    expect(verify.code).toBe(1);
    expect(await lastComment()).toContain("every done stage of #1 (1, 2) already has a verdict at its current head.");

    expect((await rows(1, "done")).map((r) => [r.run, r.headCommit, r.source])).toEqual([
      ["impl-1", verified, undefined],
      ["impl-1", rebased, "git-reconcile"],
    ]);
    expect((await rows(1, "verified")).map((r) => [r.run, r.verdict, r.headCommit, r.reportPath, r.source])).toEqual([
      ["verify-1", "accepted", verified, "tasks/1/runs/verify-1/report.md", undefined],
      ["verify-1", "accepted", rebased, "tasks/1/runs/verify-1/report.md", "git-reconcile"],
    ]);
    expect(await repo.ledgerFiles()).not.toContain("tasks/1/runs/verify-2/run.json");
    // Branch protection requiring `okstra / stage 1` sees the verdict on the new head too.
    const carried = (await checkRuns(repo)).filter((c) => c.headSha === rebased);
    expect(carried.map((c) => [c.name, c.status, c.conclusion, c.externalId])).toEqual([
      ["okstra / stage 1", "completed", "success", "1/1/verify-1"],
    ]);
    expect(carried[0]!.output.summary).toContain("the same git tree");
    // Nothing to say on the PR, but its navigation block names the new head.
    const pr = await stagePr(1);
    expect((await prComments(pr.number)).map((c) => c.body).join("\n")).not.toContain("okstra:head-moved");
    expect(pr.body).toContain(`"head":"${rebased}"`);
  });

  it("a commit pushed on top: a user-edit done at Alice's head, the verdict stale so ship refuses, a note on the PR; verify then judges her head", async () => {
    const verified = await branchHead(repo, 2);
    const alice = await cloneBranch(repo.dir, repo.root, "okstra/1/s2");
    aliceCommit = await alice.commit(
      "docs/rows.md",
      "# Rows\n\n`value` is quantity × unit price.\n",
      "docs(inventory): what the value column holds",
    );
    await alice.git("push", "--quiet", "origin", "HEAD:okstra/1/s2");

    const ship = await repo.run("/okstra ship 2");
    expect(ship.code).toBe(1);
    expect(await lastComment()).toContain(
      `stage 2: verdict is for an older head (verified at \`${verified.slice(0, 7)}\`, done at \`${aliceCommit.slice(0, 7)}\`)`,
    );
    expect((await rows(2, "done")).at(-1)).toMatchObject({
      run: "impl-1",
      headCommit: aliceCommit,
      source: "user-edit",
      branch: "okstra/1/s2",
      carryPath: "tasks/1/carry/stage-2.json",
    });

    const pr = await stagePr(2);
    const notes = (await prComments(pr.number)).filter((c) => c.body.includes("okstra:head-moved"));
    expect(notes).toHaveLength(1);
    const note = notes[0]!.body;
    expect(note).toContain(
      `**okstra · stage 2: \`okstra/1/s2\` moved** from \`${short(verified)}\` to \`${short(aliceCommit)}\`.`,
    );
    expect(note).toContain("1 commit was pushed on top of the head okstra recorded:");
    expect(note).toContain(`- \`${short(aliceCommit)}\` docs(inventory): what the value column holds — ${ALICE.name}`);
    expect(note).toContain(`The verdict **accepted** given at \`${short(verified)}\` (run \`verify-1\`) is **stale**`);
    expect(note).toContain("Comment `/okstra verify --stage 2` on #1 to verify");
    expect(note).toContain("never rewrites or force-pushes this branch");

    const verify = await repo.run("/okstra verify");
    expect(verify.code).toBe(0);
    expect((await ledgerJson(repo, "runs/verify-2/run.json")).batch).toEqual([2]);
    expect((await rows(2, "verified")).map((r) => [r.run, r.verdict, r.headCommit])).toEqual([
      ["verify-1", "accepted", verified],
      ["verify-2", "accepted", aliceCommit],
    ]);
    expect(
      (await checkRuns(repo)).filter((c) => c.headSha === aliceCommit).map((c) => [c.name, c.conclusion, c.externalId]),
    ).toEqual([["okstra / stage 2", "success", "1/2/verify-2"]]);
    // Said once: the verify found the head already recorded.
    expect((await prComments(pr.number)).filter((c) => c.body.includes("okstra:head-moved"))).toHaveLength(1);
    expect(await branchHead(repo, 2)).toBe(aliceCommit);
  });

  it("force-pushed with different content: a git-reconcile done, the stale verdict noted, and verify re-verifies the stage at the new head", async () => {
    const before = await branchHead(repo, 1);
    const alice = await cloneBranch(repo.dir, repo.root, "okstra/1/s1");
    await alice.amend(
      "src/csv.js",
      `${(await git(["show", `${before}:src/csv.js`], { cwd: repo.dir })).stdout}// Fields are quoted per RFC 4180.\n`,
    );
    await alice.git("push", "--quiet", "--force", "origin", "HEAD:okstra/1/s1");
    const forced = await branchHead(repo, 1);
    expect(await isAncestor(repo.dir, before, forced)).toBe(false);

    expect((await repo.run("/okstra verify")).code).toBe(0);
    expect((await rows(1, "done")).at(-1)).toMatchObject({
      run: "impl-1",
      headCommit: forced,
      source: "git-reconcile",
    });
    expect((await ledgerJson(repo, "runs/verify-3/run.json")).batch).toEqual([1]);
    expect((await rows(1, "verified")).at(-1)).toMatchObject({
      run: "verify-3",
      verdict: "accepted",
      headCommit: forced,
    });
    const note = (await prComments((await stagePr(1)).number)).find((c) => c.body.includes("okstra:head-moved"))!.body;
    expect(note).toContain(
      `The branch was rewritten (rebased or force-pushed) with different content: \`${short(before)}\` is no longer on it.`,
    );
    expect(note).toContain(`The verdict **accepted** given at \`${short(before)}\` (run \`verify-1\`) is **stale**`);
    expect(note).toContain(`okstra is re-verifying stage 1 at \`${short(forced)}\` now`);
  });

  it("a second pass finds every head recorded: nothing appended, no ledger commit, nothing said", async () => {
    const services = await openLocalServices(repo.dir, "maintainer");
    const [commits, comments] = [await repo.ledgerCommits(), await repo.comments()];
    expect(await reconcileStageHeads(engineServices(services), 1, { log: services.log })).toEqual({
      recorded: [],
      stale: [],
    });
    expect(await repo.ledgerCommits()).toEqual(commits);
    expect(await repo.comments()).toEqual(comments);
  });

  it("dependents build on Alice's commit, and ship collects it: her commit is never lost", async () => {
    expect((await repo.run("/okstra implement")).code).toBe(0);
    const s3 = (await rows(3, "done")).at(-1)!.headCommit as string;
    expect(await isAncestor(repo.dir, aliceCommit, s3)).toBe(true);
    expect(await isAncestor(repo.dir, await branchHead(repo, 1), s3)).toBe(true);

    expect((await repo.run("/okstra ship 1,2")).code).toBe(0);
    expect(await isAncestor(repo.dir, aliceCommit, "okstra/1/group-1-2")).toBe(true);
    expect(await branchHead(repo, 2)).toBe(aliceCommit);
  });

  it("leaves a claimed stage alone: a moved head under a live lease is a run's own work in flight", async () => {
    const services = await openLocalServices(repo.dir, "maintainer");
    const done = (await rows(3, "done")).at(-1)!;
    await services.ledger.appendRows(1, [
      {
        run: "impl-9",
        status: "started",
        stage: 3,
        leaseUntil: new Date(Date.now() + 10 * 60_000).toISOString(),
        baseCommit: done.headCommit,
      },
    ]);
    const alice = await cloneBranch(repo.dir, repo.root, "okstra/1/s3");
    const moved = await alice.commit("docs/export.md", "# Export\n", "docs(export): a page");
    await alice.git("push", "--quiet", "origin", "HEAD:okstra/1/s3");
    const before = await ledgerRows(repo);

    expect(await reconcileStageHeads(engineServices(services), 1, { log: services.log })).toEqual({
      recorded: [],
      stale: [],
    });
    expect(await ledgerRows(repo)).toEqual(before);
    expect(await branchHead(repo, 3)).toBe(moved);
  });
});
