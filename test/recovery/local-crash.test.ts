import { afterEach, describe, expect, it } from "@jest/globals";
import { spawn } from "node:child_process";
import { mkdir, readdir, readFile, readlink } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { openLocalServices } from "../../src/cli/local-services.js";
import { recoverTask } from "../../src/engine/recovery/recover-task.js";
import { silentLogger } from "../../src/util/log.js";
import { configureRecordedWorkers, createLocalRepo, type LocalRepo } from "../helpers/local-repo.js";

/**
 * Crash recovery on the local platform, with real processes: an
 * `okstra run "/okstra implement"` process is SIGKILLed while its executor
 * is mid-stage. Nothing of the dead process runs any cleanup; the next
 * okstra process on the task must find the expired lease, record it, close
 * the run, correct its status comment, remove the dead run's clone and the
 * executor still working in it — and a retry must complete the stage once.
 */

const BIN = fileURLToPath(new URL("../../bin/okstra.js", import.meta.url));
const LEASE_SECONDS = 4;

let repo: LocalRepo;
afterEach(async () => {
  await repo?.dispose();
});

const configure = (executorFlags: string) =>
  configureRecordedWorkers(repo, executorFlags, ["verification: { autoVerify: false }"]);

const rows = async () =>
  (await repo.ledgerFile("tasks/1/ledger.jsonl"))
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));

/** Live processes whose working directory is under `root` (the executor works in its run's clone), as `pid command`. */
async function processesUnder(root: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const cwd = await readlink(`/proc/${entry}/cwd`).catch(() => null);
    if (!cwd?.startsWith(`${root}/`)) continue;
    const command = (await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => ""))
      .split("\0")
      .filter(Boolean)
      .map((a) => path.basename(a))
      .slice(0, 2)
      .join(" ");
    found.push(`${entry} ${command}`);
  }
  return found.sort();
}

async function until<T>(check: () => Promise<T | false>, what: string, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== false) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("a SIGKILLed okstra process mid-stage", () => {
  it("is recovered by the next process: abandoned row, run closed, status comment final, clone and executor gone; retry completes the stage once", async () => {
    repo = await createLocalRepo();
    // The okstra processes' run directories live apart (their TMPDIR), so what is left there is theirs.
    const tmp = path.join(repo.root, "tmp");
    await mkdir(tmp);
    const runs = path.join(tmp, "okstra-runs");
    await configure("--mode commit-then-sleep --only-stage 1");
    expect((await repo.run("/okstra plan")).code).toBe(0);
    expect((await repo.run("/okstra approve")).code).toBe(0);

    const okstra = (command: string) =>
      spawn(process.execPath, [BIN, "run", command, "--repo", repo.dir, "--issue", "1", "--actor", "maintainer"], {
        env: { ...process.env, TMPDIR: tmp, OKSTRA_LEASE_SECONDS: String(LEASE_SECONDS), LOG_LEVEL: "warn" },
        stdio: "ignore",
      });
    const child = okstra("/okstra implement --stage 1");
    const died = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
    // Mid-stage: the executor has committed its first commit and sleeps, inside the run's clone.
    const executor = await until(async () => {
      const found = await processesUnder(runs);
      return found.some((p) => / sleep 600$/.test(p)) ? found : false; // the executor and its `sleep`
    }, "the executor to be working");
    expect(executor.some((p) => p.includes("executor-worker.mjs"))).toBe(true);
    // The status comment exists and says running.
    await until(
      async () =>
        (await repo.comments()).some((c) => c.body.includes("okstra:run-status") && c.body.includes("⏳ running")),
      "the running status comment",
    );

    child.kill("SIGKILL");
    expect(await died).toBe("SIGKILL");
    // Nothing of the dead process cleaned up: its clone is there. Its executor does not outlive it:
    // the sandbox dies with its parent (bwrap --die-with-parent), and everything in it with the sandbox.
    const [leftover] = await readdir(runs);
    expect(leftover).toMatch(/impl-1/);
    expect(
      await until(
        async () => ((await processesUnder(runs)).length === 0 ? "gone" : false),
        "the sandboxed executor to die with okstra",
      ),
    ).toBe("gone");
    expect(new Set((await rows()).filter((r) => r.stage === 1).map((r) => r.status))).toEqual(new Set(["started"]));

    // Before the lease runs out, a recovery check changes nothing: the stage may still be worked on.
    const services = await openLocalServices(repo.dir, "maintainer", { log: silentLogger, task: 1 });
    const early = await recoverTask({ ...services, leaseMs: LEASE_SECONDS * 1000 }, 1);
    expect(early.abandoned).toEqual([]);
    expect(early.nextCheckAt).not.toBeNull();
    await new Promise((r) => setTimeout(r, Math.max(0, early.nextCheckAt!.getTime() - Date.now())));

    // The next okstra process on the task: a retry. It recovers first, then runs the stage again.
    await configure("");
    const retry = okstra("/okstra retry --stage 1");
    expect(await new Promise((resolve) => retry.on("exit", resolve))).toBe(0);

    const all = await rows();
    const stage1 = all.filter((r) => r.stage === 1);
    // With a 4 s lease the retry renews it while it works: a renewal is another `started` of the same run.
    const events = stage1
      .map((r) => `${r.status} ${r.run}`)
      .filter((e, i, list) => !(e.startsWith("started") && list[i - 1] === e));
    expect(events).toEqual(["started impl-1", "abandoned impl-1", "started impl-2", "done impl-2"]);
    expect(stage1.find((r) => r.status === "abandoned").reason).toMatch(/^lease expired at .* without done or failed$/);
    expect(all.filter((r) => r.status === "done")).toHaveLength(1);

    const manifest = JSON.parse(await repo.ledgerFile("tasks/1/runs/impl-1/run.json"));
    expect(manifest).toMatchObject({
      status: "abandoned",
      outcome: expect.stringContaining("lease on stage 1 expired"),
    });
    expect(await repo.ledgerFile("tasks/1/runs/impl-1/report.md")).toContain("| 1 | abandoned — lease expired at");

    // The dead run's status comment is final and says what happened (edited in place, not a new one).
    const statuses = (await repo.comments()).filter((c) => c.body.includes('okstra:run-status {"run":"impl-1"'));
    expect(statuses).toHaveLength(1);
    expect(statuses[0].body).toContain("💥 abandoned");
    expect(statuses[0].body).toContain("Stage 1 · ");
    expect(statuses[0].body).toContain("`/okstra retry`");

    // The dead run's clone is gone, nothing works in it; the retry's clone too.
    expect(await processesUnder(runs)).toEqual([]);
    expect(await readdir(runs)).toEqual([]);

    // Recovering again changes nothing.
    const commits = (await repo.ledgerCommits()).length;
    const again = await recoverTask({ ...services, leaseMs: LEASE_SECONDS * 1000 }, 1);
    expect(again).toMatchObject({ abandoned: [], closedRuns: [], nextCheckAt: null });
    expect((await repo.ledgerCommits()).length).toBe(commits);
  }, 180_000);
});
