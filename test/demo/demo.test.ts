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
  return Promise.all((await readdir(dir)).filter((f) => f.endsWith(".json")).map(async (f) => JSON.parse(await readFile(path.join(dir, f), "utf8"))));
}

const ledger = async (file: string) => (await git(["show", `okstra/ledger:${file}`], { cwd: result.repo })).stdout;
const rows = async () => (await ledger("tasks/1/ledger.jsonl")).trim().split("\n").map((l) => JSON.parse(l));

describe("the offline demo", () => {
  it("carries out every command of the lifecycle", () => {
    expect(result.steps.map((s) => [s.comment.split("\n")[0], s.exitCode])).toEqual([
      ["/okstra help", 0],
      ["/okstra plan", 0],
      ["/okstra approve", 0],
      ["/okstra implement", 0],
      ["/okstra implement", 0],
      ["/okstra implement", 0],
      ["/okstra status", 0],
      ["/okstra ship all", 0],
    ]);
  });

  it("leaves one branch per stage and the collector branch, stage 3 on a merge of 1 and 2", async () => {
    const branches = (await git(["branch", "--list", "okstra/1/*", "--format=%(refname:short)"], { cwd: result.repo })).stdout.trim().split("\n");
    expect(branches).toEqual(["okstra/1/group-1-2-3-4", "okstra/1/s1", "okstra/1/s2", "okstra/1/s3", "okstra/1/s4"]);
    const merges = (await git(["log", "--merges", "--format=%s", "okstra/1/s3"], { cwd: result.repo })).stdout.trim();
    expect(merges).toBe("merge: stage 2");
  });

  it("records the plan, its approval and every stage done in the ledger", async () => {
    const all = await rows();
    expect(all.filter((r) => r.status === "approved")).toHaveLength(1);
    expect(all.filter((r) => r.status === "done").map((r) => r.stage)).toEqual([1, 2, 3, 4]);
    expect(JSON.parse(await ledger("tasks/1/plan.json")).provenance.gate).toBe("passed");
  });

  it("opens a stage PR per stage with chained bases, ready for review once accepted, and one group PR", async () => {
    const pulls = await readJsonDir(path.join(result.repo, ".okstra-local", "pulls"));
    const byHead = Object.fromEntries(pulls.map((p) => [p.head, [p.base, p.draft]]));
    expect(byHead).toEqual({
      "okstra/1/s1": ["main", false],
      "okstra/1/s2": ["main", false],
      "okstra/1/s3": ["main", false],
      "okstra/1/s4": ["okstra/1/s3", false],
      "okstra/1/group-1-2-3-4": ["main", false],
    });
    const group = pulls.find((p) => p.head === "okstra/1/group-1-2-3-4")!;
    const merges = (await git(["log", "--merges", "--first-parent", "--format=%s", "main..okstra/1/group-1-2-3-4"], { cwd: result.repo })).stdout.trim().split("\n");
    expect(merges).toEqual(["merge: stage 4", "merge: stage 3", "merge: stage 2", "merge: stage 1"]);
    expect((await rows()).filter((r) => r.status === "pr" && r.kind === "group")).toEqual([expect.objectContaining({ stages: [1, 2, 3, 4], number: group.number })]);
  });

  it("verifies every stage: accepted verdicts at the current heads and a successful check run each", async () => {
    const all = await rows();
    const done = Object.fromEntries(all.filter((r) => r.status === "done").map((r) => [r.stage, r.headCommit]));
    const verdicts = all.filter((r) => r.status === "verified");
    expect(verdicts.map((r) => [r.stage, r.verdict, r.headCommit === done[r.stage]])).toEqual([
      [1, "accepted", true],
      [2, "accepted", true],
      [3, "accepted", true],
      [4, "accepted", true],
    ]);
    const checks = await readJsonDir(path.join(result.repo, ".okstra-local", "check-runs"));
    expect(checks.map((c) => [c.name, c.conclusion]).sort()).toEqual([1, 2, 3, 4].map((s) => [`okstra / stage ${s}`, "success"]));
  });
});
