import { afterEach, describe, expect, it } from "@jest/globals";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { git } from "../../src/util/git.js";
import type { LocalRepo } from "../helpers/local-repo.js";
import { approvedRepo, checkRuns, ledgerRows, pulls, verifier } from "./verification-repo.js";

/**
 * The ship preflight (issue #16): two accepted stages whose heads conflict
 * (both rewrite the README) are said to conflict before anyone comments
 * `/okstra ship` — on both stage PRs, in their check runs and in
 * `/okstra status` — and a later verification that finds them merging clears it.
 */

let repo: LocalRepo | undefined;
afterEach(async () => {
  await repo?.dispose();
  repo = undefined;
});

const README_1 = "# inventory-lib\n\nCSV escaping, says stage 1.\n";
const README_2 = "# inventory-lib\n\nItem values, says stage 2.\n";
const AGREE = [verifier("--findings none --review agree"), verifier("--findings none --review agree")];

/** A commit on `branch` of the local repository (a person pushing to the stage branch). */
async function commitOn(dir: string, branch: string, files: Record<string, string>, message: string): Promise<string> {
  const tree = await mkdtemp(path.join(tmpdir(), "okstra-preflight-wt-"));
  try {
    await git(["worktree", "add", "-q", tree, branch], { cwd: dir });
    for (const [file, text] of Object.entries(files)) await writeFile(path.join(tree, file), text);
    await git(["add", "-A"], { cwd: tree });
    const author = ["-c", "user.name=maintainer", "-c", "user.email=m@example.invalid"];
    await git([...author, "commit", "-q", "-m", message], { cwd: tree });
    return (await git(["rev-parse", "HEAD"], { cwd: tree })).stdout.trim();
  } finally {
    await git(["worktree", "remove", "--force", tree], { cwd: dir });
    await rm(tree, { recursive: true, force: true });
  }
}

async function prComments(stage: number): Promise<Array<{ id: number; body: string }>> {
  const pr = (await pulls(repo!)).find((p) => p.head === `okstra/1/s${stage}`)!;
  const comments: Array<{ id: number; body: string }> = await repo!.comments(pr.number).catch(() => []);
  return comments.filter((c) => c.body.includes("Ship preflight"));
}

describe("ship preflight after verification", () => {
  it("two conflicting accepted stages: stated on both PRs, check runs and status; a clean one clears it", async () => {
    repo = await approvedRepo({ verifiers: AGREE });
    expect((await repo.run("/okstra implement --stage 1")).code).toBe(0);
    expect((await repo.run("/okstra implement --stage 2")).code).toBe(0);
    // Accepted and merging: nothing to say, so no comment was written.
    const verified = (await ledgerRows(repo)).filter((r) => r.status === "verified");
    expect(verified.map((r) => [r.stage, r.verdict, r.shipPreflight?.conflicts])).toEqual([
      [1, "accepted", []],
      [2, "accepted", []],
    ]);
    expect([...(await prComments(1)), ...(await prComments(2))]).toEqual([]);

    // Both stage branches then rewrite the README, differently; verification accepts each again.
    await commitOn(repo.dir, "okstra/1/s1", { "README.md": README_1 }, "docs(readme): stage 1's view");
    await commitOn(repo.dir, "okstra/1/s2", { "README.md": README_2 }, "docs(readme): stage 2's view");
    expect((await repo.run("/okstra verify")).code).toBe(0);

    const latest = (await ledgerRows(repo)).filter((r) => r.status === "verified").slice(-2);
    expect(latest.map((r) => [r.stage, r.verdict, r.shipPreflight])).toEqual([
      [1, "accepted", { stages: [1, 2], conflicts: [{ stages: [1, 2], paths: ["README.md"] }] }],
      [2, "accepted", { stages: [1, 2], conflicts: [{ stages: [1, 2], paths: ["README.md"] }] }],
    ]);
    for (const stage of [1, 2]) {
      const [comment, ...more] = await prComments(stage);
      expect(more).toEqual([]);
      expect(comment!.body).toContain("stages 1 and 2 do not merge together: `README.md`");
      expect(comment!.body).toContain("separate groups (`/okstra ship 1`, then `/okstra ship 2` once merged)");
      expect(comment!.body).toContain("`/okstra revise`");
    }
    const runs = (await checkRuns(repo)).filter((c) => c.externalId.endsWith(`/${latest[0]!.run}`));
    expect(runs.map((c) => [c.name, c.conclusion])).toEqual([
      ["okstra / stage 1", "success"],
      ["okstra / stage 2", "success"],
    ]);
    for (const run of runs) expect(run.output.summary).toContain("**Ship preflight:** this stage does not merge");

    const status = await repo.run("/okstra status");
    expect(status.stdout).toContain("Ship preflight: accepted stages conflict.");
    expect(status.stdout).toContain("- stages 1 and 2 do not merge together: `README.md`.");
    const markdown = (await repo.comments()).at(-1)!.body;
    expect(markdown).toContain("⚠️ **Ship preflight: accepted stages conflict.**");

    // Stage 2 takes stage 1's README: the heads merge again. Verifying stage 2 alone re-checks every accepted stage.
    await commitOn(repo.dir, "okstra/1/s2", { "README.md": README_1 }, "docs(readme): agree with stage 1");
    expect((await repo.run("/okstra verify --stage 2")).code).toBe(0);
    const last = (await ledgerRows(repo)).filter((r) => r.status === "verified").at(-1);
    expect(last).toMatchObject({ stage: 2, verdict: "accepted", shipPreflight: { stages: [1, 2], conflicts: [] } });
    for (const stage of [1, 2]) {
      const comments = await prComments(stage);
      expect(comments).toHaveLength(1);
      expect(comments[0]!.body).toContain("this stage now merges cleanly with every accepted stage");
    }
    expect((await repo.run("/okstra status")).stdout).not.toContain("Ship preflight");
    // Five command runs with real git and recorded workers: minutes on a loaded machine.
  }, 300_000);
});
