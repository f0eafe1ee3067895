import { afterEach, describe, expect, it } from "@jest/globals";
import { git } from "../../src/util/git.js";
import { configureRecordedWorkers, createLocalRepo, type LocalRepo } from "../helpers/local-repo.js";

/**
 * A stage whose tests fail keeps its evidence and its work (SPEC §6.3): the
 * failing assertion's text is in the ledger `failed` row, the run report and
 * the status comment; the red commits are on the stage branch (no PR), and
 * `/okstra retry` builds on them.
 */

let repo: LocalRepo;
afterEach(async () => {
  await repo?.dispose();
});

const rows = async () =>
  (await repo.ledgerFile("tasks/1/ledger.jsonl"))
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
const log = async (range: string) =>
  (await git(["log", "--format=%H %s", range], { cwd: repo.dir })).stdout.trim().split("\n");
const NO_VERIFY = ["verification: { autoVerify: false }"];

describe("a red stage", () => {
  it("shows the failing assertion in the ledger, the report and the comment, keeps its commits on the stage branch, and retry continues from them", async () => {
    repo = await createLocalRepo();
    await configureRecordedWorkers(repo, "--mode break-tests --only-stage 1", NO_VERIFY);
    expect((await repo.run("/okstra plan")).code).toBe(0);
    expect((await repo.run("/okstra approve")).code).toBe(0);

    expect((await repo.run("/okstra implement --stage 1")).code).toBe(1);
    // node:test's own words for the failed assertion (test/broken.test.js asserts 1 === 2).
    const assertion = "1 !== 2";
    const failed = (await rows()).find((r) => r.status === "failed" && r.stage === 1);
    expect(failed.reason).toBe("validation-failed");
    expect(failed.detail).toContain("post `npm test` exited 1");
    expect(failed.detail).toContain(assertion);
    expect(failed.detail).not.toContain("validation-failed: validation-failed");
    expect(await repo.ledgerFile("tasks/1/runs/impl-1/report.md")).toContain(assertion);
    const status = (await repo.comments()).find(
      (c) => c.body.includes("okstra:run-status") && c.body.includes("run `impl-1`"),
    )!;
    expect(status.body).toContain("<details><summary>Stage 1: validation-failed — output</summary>");
    expect(status.body).toContain(assertion);
    expect(status.body).toContain("Next: `/okstra retry`");
    expect(status.body).not.toContain("validation-failed: validation-failed");

    // The red commits are on okstra/1/s1, with okstra's trailers; no PR was opened for them.
    const red = await log("main..okstra/1/s1");
    expect(red.map((l) => l.slice(41))).toEqual([
      "feat(csv): RFC 4180 field and row encoding",
      "test(csv): escaping of fields and rows",
    ]);
    expect((await git(["log", "-1", "--format=%B", "okstra/1/s1"], { cwd: repo.dir })).stdout).toContain(
      "Okstra-Stage: 1",
    );
    expect((await rows()).filter((r) => r.status === "pr")).toEqual([]);

    // `/okstra status` gives the same next step as the run.
    expect((await repo.run("/okstra status")).code).toBe(0);
    expect((await repo.comments()).at(-1)!.body).toContain(
      "Next: `/okstra retry` — stage 1 failed (validation-failed)",
    );

    // Retry builds on the red commits: the branch keeps them and gains the fix.
    await configureRecordedWorkers(repo, "--mode repair", NO_VERIFY);
    expect((await repo.run("/okstra retry --stage 1")).code).toBe(0);
    const green = await log("main..okstra/1/s1");
    expect(green.map((l) => l.slice(41))).toEqual([
      "fix(test): drop the wrong assertion of the red attempt",
      "feat(csv): RFC 4180 field and row encoding",
      "test(csv): escaping of fields and rows",
    ]);
    expect(green.slice(1)).toEqual(red);
    expect((await rows()).filter((r) => r.status === "done").map((r) => r.stage)).toEqual([1]);
  });
});
