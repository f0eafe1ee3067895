import { afterEach, describe, expect, it } from "@jest/globals";
import { execSync } from "node:child_process";
import { git } from "../../src/util/git.js";
import { configureRecordedWorkers, createLocalRepo, type LocalRepo } from "../helpers/local-repo.js";

let repo: LocalRepo;
afterEach(async () => {
  await repo?.dispose();
});

const configure = (executorFlags: string) => configureRecordedWorkers(repo, executorFlags);

async function approved(executorFlags: string) {
  repo = await createLocalRepo();
  await configure(executorFlags);
  expect((await repo.run("/okstra plan")).code).toBe(0);
  expect((await repo.run("/okstra approve")).code).toBe(0);
}

const rows = async () =>
  (await repo.ledgerFile("tasks/1/ledger.jsonl"))
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
/** The executor's `sleep 600`s started by this test process (other test files sleep too, in parallel). */
const sleepers = () => {
  const table = execSync("ps -eo pid=,ppid=,args=")
    .toString()
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [pid, ppid, ...args] = line.trim().split(/\s+/);
      return { pid: Number(pid), ppid: Number(ppid), args: args.join(" ") };
    });
  const parent = new Map(table.map((p) => [p.pid, p.ppid]));
  const ours = (pid: number) => {
    for (let at = parent.get(pid); at !== undefined && at > 1; at = parent.get(at)) if (at === process.pid) return true;
    return false;
  };
  return table.filter((p) => /^sleep 600$/.test(p.args) && ours(p.pid));
};

async function until(check: () => boolean | Promise<boolean>, what: string, ms = 30_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("/okstra cancel", () => {
  it("stops a long-running executor within seconds, records the cancel, keeps the partial work, and retry continues from it", async () => {
    await approved("--mode commit-then-sleep --only-stage 1");
    const running = repo.run("/okstra implement --stage 1");
    await until(() => sleepers().length > 0, "the executor to start sleeping");

    const cancelledAt = Date.now();
    const cancel = await repo.run("/okstra cancel");
    expect(cancel.code).toBe(0);
    const implement = await running;
    expect(implement.code).toBe(1);
    await until(() => sleepers().length === 0, "the executor's process tree to be gone", 10_000);
    expect(Date.now() - cancelledAt).toBeLessThan(10_000);

    const all = await rows();
    expect(all).toEqual(expect.arrayContaining([expect.objectContaining({ status: "cancelled", run: "impl-1" })]));
    const failed = all.find((r) => r.status === "failed" && r.stage === 1);
    expect(failed).toMatchObject({ reason: "cancelled" });
    expect(failed.detail).toContain("partial work kept on `okstra/1/s1`");
    // The partial commit (the failing test, with okstra's trailers) is on the stage branch.
    const partial = (await git(["log", "--format=%s", "main..okstra/1/s1"], { cwd: repo.dir })).stdout.trim();
    expect(partial).toBe("test(csv): escaping of fields and rows");
    const status = (await repo.comments()).find(
      (c) => c.body.includes("run `impl-1`") && c.body.includes("okstra:run-status"),
    )!;
    expect(status.body).toContain("⏹️ cancelled");

    // Retry continues from the partial work: the branch keeps its first commit and gains the rest.
    await configure("");
    const partialHead = (await git(["rev-parse", "okstra/1/s1"], { cwd: repo.dir })).stdout.trim();
    expect((await repo.run("/okstra retry --stage 1")).code).toBe(0);
    const history = (await git(["log", "--format=%H %s", "main..okstra/1/s1"], { cwd: repo.dir })).stdout
      .trim()
      .split("\n");
    expect(history.map((l) => l.slice(41))).toEqual([
      "feat(csv): RFC 4180 field and row encoding",
      "test(csv): escaping of fields and rows",
    ]);
    expect(history[1].slice(0, 40)).toBe(partialHead);
    expect((await rows()).filter((r) => r.status === "done").map((r) => r.stage)).toEqual([1]);
  });

  it("says there is nothing to cancel when no run holds a stage", async () => {
    await approved("");
    expect((await repo.run("/okstra cancel")).code).toBe(1);
    expect((await repo.comments()).at(-1)!.body).toContain("nothing to cancel");
  });
});

describe("/okstra retry", () => {
  it("re-runs a failed stage and refuses stages that did not fail", async () => {
    await approved("--mode bad-message --only-stage 1");
    expect((await repo.run("/okstra implement")).code).toBe(1);
    expect((await repo.run("/okstra retry --stage 2")).code).toBe(1);
    expect((await repo.comments()).at(-1)!.body).toContain(
      "stage 2 is done; `/okstra retry` is for stages that failed",
    );
    await configure("");
    expect((await repo.run("/okstra retry")).code).toBe(0);
    expect(
      (await rows())
        .filter((r) => r.status === "done")
        .map((r) => r.stage)
        .sort(),
    ).toEqual([1, 2]);
    expect((await repo.run("/okstra retry")).code).toBe(1);
    expect((await repo.comments()).at(-1)!.body).toContain("no failed, abandoned or cancelled stage is ready to retry");
  });
});
