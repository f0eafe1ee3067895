import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { git } from "../../src/util/git.js";
import { createLocalPlatform } from "../../src/platform/local/index.js";
import type { LocalRepo } from "../helpers/local-repo.js";
import { approvedRepo, branchHead, ledgerRows, pulls, verifier } from "../verification/verification-repo.js";
import { pullComments, reviewComments, runOnPull } from "./pr-repo.js";

/**
 * Commands written on okstra's own pull requests (SPEC §2, §15.1), through the
 * CLI and the local platform: they act on the PR's task, stage-scoped verbs
 * default to the PR's stage, and the answer goes where the command was written.
 */

let repo: LocalRepo;
let pr1: number;
let pr2: number;

beforeAll(async () => {
  repo = await approvedRepo({
    verifiers: [verifier("--findings none --review agree"), verifier("--findings none --review agree")],
  });
  expect((await repo.run("/okstra implement --stage 1")).code).toBe(0);
  expect((await repo.run("/okstra implement --stage 2")).code).toBe(0);
  [pr1, pr2] = (await pulls(repo)).map((p) => p.number as number) as [number, number];
}, 120_000);
afterAll(() => repo.dispose());

describe("a command on a stage PR", () => {
  it("`/okstra verify` in the PR conversation verifies that PR's stage only and answers on the PR", async () => {
    const before = (await ledgerRows(repo)).filter((r) => r.status === "verified").length;
    const result = await runOnPull(repo, pr2, "/okstra verify");
    expect(result.code).toBe(0);

    const verified = (await ledgerRows(repo)).filter((r) => r.status === "verified").slice(before);
    expect(verified.map((r) => [r.stage, r.verdict, r.headCommit])).toEqual([
      [2, "accepted", await branchHead(repo, 2)],
    ]);
    // The status comment is on the PR, after the command, with 👀 on the command; the issue got nothing new.
    const [command, status] = await pullComments(repo, pr2);
    expect(command!.reactions.map((r: any) => r.content)).toEqual(["eyes"]);
    expect(status!.body).toMatch(/### okstra · `\/okstra verify` · ✅ done/);
    expect(status!.body).toContain("Stage 2:");
    expect(result.stdout).toContain("`/okstra verify`");
    expect((await repo.comments()).map((c) => c.body).join("\n")).not.toContain("okstra · `/okstra verify`");
  }, 60_000);

  it("an inline review comment `/okstra verify` is answered in its thread, 👀 on the review comment", async () => {
    const result = await runOnPull(repo, pr1, "/okstra verify", { path: "src/csv.js", line: 3 });
    expect(result.code).toBe(0);
    const [command, reply] = await reviewComments(repo, pr1);
    expect([command!.path, command!.line, command!.side, command!.resolved]).toEqual(["src/csv.js", 3, "RIGHT", false]);
    expect(command!.diffHunk).toMatch(/^@@ -0,0 \+1,\d+ @@/);
    expect(command!.reactions.map((r: any) => [r.content, r.user])).toEqual([["eyes", "okstra[bot]"]]);
    expect(reply!.inReplyTo).toBe(command!.id);
    expect(reply!.author).toBe("okstra[bot]");
    expect(reply!.body).toMatch(/### okstra · `\/okstra verify` · ✅ done/);
    expect(reply!.body).toContain("Stage 1:");
    expect((await ledgerRows(repo)).filter((r) => r.status === "verified").at(-1)!.stage).toBe(1);
  }, 60_000);

  it("refuses an inline comment on a line the PR does not change, before anything runs", async () => {
    const result = await runOnPull(repo, pr1, "/okstra verify", { path: "README.md", line: 1 });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`line 1 of README.md is not part of the diff of #${pr1}`);
  });

  it("`/okstra status` on a stage PR shows the task's ledger", async () => {
    const result = await runOnPull(repo, pr1, "/okstra status");
    expect(result.code).toBe(0);
    expect((await pullComments(repo, pr1)).at(-1)!.body).toContain("Per-item value on the inventory");
  });
});

describe("a command on a pull request okstra did not open", () => {
  it("is refused on that PR with what to do instead, and changes no ledger", async () => {
    await git(["checkout", "-q", "-b", "feature/manual"], { cwd: repo.dir });
    await repo.commitFile("NOTES.md", "by hand\n");
    await git(["checkout", "-q", "-"], { cwd: repo.dir });
    const foreign = await createLocalPlatform({ repoDir: repo.dir }).createPullRequest({
      title: "Manual",
      body: "",
      head: "feature/manual",
      base: "main",
      draft: false,
    });
    const ledgerBefore = await repo.ledgerCommits();

    const result = await runOnPull(repo, foreign.number, "/okstra verify");
    expect(result.code).toBe(1);
    const reply = (await pullComments(repo, foreign.number)).at(-1)!;
    expect(reply.body).toContain(`#${foreign.number} is not a pull request okstra opened`);
    expect(reply.body).toContain("Comment `/okstra plan` on the issue");
    expect(await repo.ledgerCommits()).toEqual(ledgerBefore);
  });

  it("is refused on a PR whose head looks like okstra's but that the ledger does not record", async () => {
    await git(["branch", "okstra/1/s9", "feature/manual"], { cwd: repo.dir });
    const imposter = await createLocalPlatform({ repoDir: repo.dir }).createPullRequest({
      title: "Stage 9",
      body: "",
      head: "okstra/1/s9",
      base: "main",
      draft: false,
    });
    const result = await runOnPull(repo, imposter.number, "/okstra verify");
    expect(result.code).toBe(1);
    expect((await pullComments(repo, imposter.number)).at(-1)!.body).toContain("the ledger of #1 does not record it");
  });
});
