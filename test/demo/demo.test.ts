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
    ]);
  });

  it("leaves one branch per stage, stage 3 on a merge of 1 and 2", async () => {
    const branches = (await git(["branch", "--list", "okstra/1/*", "--format=%(refname:short)"], { cwd: result.repo })).stdout.trim().split("\n");
    expect(branches).toEqual(["okstra/1/s1", "okstra/1/s2", "okstra/1/s3", "okstra/1/s4"]);
    const merges = (await git(["log", "--merges", "--format=%s", "okstra/1/s3"], { cwd: result.repo })).stdout.trim();
    expect(merges).toBe("merge: stage 2");
  });

  it("records the plan, its approval and every stage done in the ledger", async () => {
    const all = await rows();
    expect(all.filter((r) => r.status === "approved")).toHaveLength(1);
    expect(all.filter((r) => r.status === "done").map((r) => r.stage)).toEqual([1, 2, 3, 4]);
    expect(JSON.parse(await ledger("tasks/1/plan.json")).provenance.gate).toBe("passed");
  });

  it("opens a draft stage PR per stage with chained bases", async () => {
    const dir = path.join(result.repo, ".okstra-local", "pulls");
    const pulls = await Promise.all((await readdir(dir)).map(async (f) => JSON.parse(await readFile(path.join(dir, f), "utf8"))));
    const byHead = Object.fromEntries(pulls.map((p) => [p.head, p.base]));
    expect(byHead).toEqual({ "okstra/1/s1": "main", "okstra/1/s2": "main", "okstra/1/s3": "main", "okstra/1/s4": "okstra/1/s3" });
  });
});
