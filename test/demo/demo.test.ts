import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { runDemo, type DemoResult } from "../../src/demo/run-demo.js";
import { git } from "../../src/util/git.js";

/** `npm run demo`'s lifecycle, run once; each test checks one part of its end state. */
let root: string;
let result: DemoResult;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "okstra-demo-test-"));
  process.env.OKSTRA_CACHE_DIR = path.join(root, "cache");
  result = await runDemo({ root });
}, 240_000);

afterAll(async () => {
  delete process.env.OKSTRA_CACHE_DIR;
  await rm(root, { recursive: true, force: true });
});

async function readJsonDir(dir: string): Promise<Array<Record<string, any>>> {
  return Promise.all(
    (await readdir(dir))
      .filter((f) => f.endsWith(".json"))
      .map(async (f) => JSON.parse(await readFile(path.join(dir, f), "utf8"))),
  );
}

const ledger = async (file: string) => (await git(["show", `okstra/ledger:${file}`], { cwd: result.repo })).stdout;
const rows = async () =>
  (await ledger("tasks/1/ledger.jsonl"))
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));

describe("the offline demo", () => {
  it("carries out every command of the lifecycle", () => {
    expect(result.steps.map((s) => [s.comment.split("\n")[0], s.exitCode])).toEqual([
      ["/okstra help", 0],
      ["/okstra plan", 0],
      ["/okstra approve", 0],
      ["/okstra implement", 0],
      ["/okstra implement", 0],
      ["/okstra implement", 0],
      ["(review comment)", 0],
      ["/okstra revise", 0],
      ["/okstra status", 0],
      ["/okstra ship all", 0],
    ]);
  });

  it("leaves one branch per stage, stage 3's base (a merge of 1 and 2) and the collector branch", async () => {
    const branches = (
      await git(["branch", "--list", "okstra/1/*", "--format=%(refname:short)"], { cwd: result.repo })
    ).stdout
      .trim()
      .split("\n");
    expect(branches).toEqual([
      "okstra/1/group-1-2-3-4",
      "okstra/1/s1",
      "okstra/1/s2",
      "okstra/1/s3",
      "okstra/1/s3-base",
      "okstra/1/s4",
    ]);
    // The revise of stage 2 reached stage 3 through its base branch (SPEC §15.4): the base took stage 2's new head, stage 3 its base.
    const merges = (await git(["log", "--merges", "--format=%s", "okstra/1/s3"], { cwd: result.repo })).stdout.trim();
    expect(merges).toBe(
      "chore(restack): merge stage 2 (through okstra/1/s3-base)\nchore(restack): merge stage 2\nmerge: stage 2",
    );
    const stagesOfCommits = (
      await git(
        ["log", "--no-merges", "--format=%(trailers:key=Okstra-Stage,valueonly)", "okstra/1/s3-base..okstra/1/s3"],
        { cwd: result.repo },
      )
    ).stdout;
    expect(new Set(stagesOfCommits.split("\n").filter(Boolean))).toEqual(new Set(["3"]));
  });

  it("records the plan, its approval and every stage done in the ledger", async () => {
    const all = await rows();
    expect(all.filter((r) => r.status === "approved")).toHaveLength(1);
    expect(all.filter((r) => r.status === "done").map((r) => [r.stage, r.source])).toEqual([
      [1, undefined],
      [2, undefined],
      [3, undefined],
      [4, undefined],
      [2, "revise"],
      [3, "restack"],
      [4, "restack"],
    ]);
    expect(JSON.parse(await ledger("tasks/1/plan.json")).provenance.gate).toBe("passed");
  });

  it("opens a stage PR per stage on bases that show only its own commits, ready for review once accepted, and one group PR", async () => {
    const pulls = await readJsonDir(path.join(result.repo, ".okstra-local", "pulls"));
    const byHead = Object.fromEntries(pulls.map((p) => [p.head, [p.base, p.draft]]));
    expect(byHead).toEqual({
      "okstra/1/s1": ["main", false],
      "okstra/1/s2": ["main", false],
      "okstra/1/s3": ["okstra/1/s3-base", false],
      "okstra/1/s4": ["okstra/1/s3", false],
      "okstra/1/group-1-2-3-4": ["main", false],
    });
    const group = pulls.find((p) => p.head === "okstra/1/group-1-2-3-4")!;
    const merges = (
      await git(["log", "--merges", "--first-parent", "--format=%s", "main..okstra/1/group-1-2-3-4"], {
        cwd: result.repo,
      })
    ).stdout
      .trim()
      .split("\n");
    expect(merges).toEqual(["merge: stage 4", "merge: stage 3", "merge: stage 2", "merge: stage 1"]);
    expect((await rows()).filter((r) => r.status === "pr" && r.kind === "group")).toEqual([
      expect.objectContaining({ stages: [1, 2, 3, 4], number: group.number }),
    ]);
  });

  it("verifies every stage: accepted verdicts at the current heads and a successful check run each", async () => {
    const all = await rows();
    const done = Object.fromEntries(all.filter((r) => r.status === "done").map((r) => [r.stage, r.headCommit]));
    // The last verdict of each stage is at its current head: 2, 3 and 4 were verified again after the revise.
    const last = new Map(all.filter((r) => r.status === "verified").map((r) => [r.stage, r]));
    expect([...last.values()].map((r) => [r.stage, r.verdict, r.headCommit === done[r.stage]]).sort()).toEqual([
      [1, "accepted", true],
      [2, "accepted", true],
      [3, "accepted", true],
      [4, "accepted", true],
    ]);
    const checks = await readJsonDir(path.join(result.repo, ".okstra-local", "check-runs"));
    expect(
      checks
        .map((c) => [c.name, c.headSha === done[Number(c.name.split(" ").pop())], c.conclusion])
        .filter(([, current]) => current)
        .sort(),
    ).toEqual([1, 2, 3, 4].map((s) => [`okstra / stage ${s}`, true, "success"]));
  });

  it("runs the review loop: the thread on stage 2's PR answered, stage 2 revised on top, 3 and 4 restacked onto it", async () => {
    const pulls = await readJsonDir(path.join(result.repo, ".okstra-local", "pulls"));
    const pr2 = pulls.find((p) => p.head === "okstra/1/s2")!;
    const thread = await readJsonDir(
      path.join(result.repo, ".okstra-local", "pulls", String(pr2.number), "review-comments"),
    );
    const [question, answer] = thread.sort((a, b) => a.id - b.id);
    expect([question!.author, answer!.author, answer!.inReplyTo]).toEqual(["reviewer", "okstra[bot]", question!.id]);
    expect(answer!.body).toMatch(/^Addressed in `[0-9a-f]{12}`/);
    const revise = result.steps.find((s) => s.comment === "/okstra revise")!;
    expect(revise.answer).toContain("Stage 2 revised: 1 review thread(s) answered.");
    expect(revise.answer).toContain("Stage 3: merged the new head of stage 2");
    expect(revise.answer).toContain("Stage 4: merged the new head of stage 3");
    const s4 = (await git(["log", "--format=%s", "okstra/1/s4"], { cwd: result.repo })).stdout;
    expect(s4).toContain("fix(inventory): round stock values to cents");
  });
});
