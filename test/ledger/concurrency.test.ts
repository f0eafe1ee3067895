import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Ledger } from "../../src/ledger/ledger.js";
import { createLocalLedgerStore } from "../../src/ledger/local-store.js";
import { git } from "../../src/util/git.js";
import { json, plan, showFile, taskMeta, tempRepo, type TempRepo } from "./fixtures.js";

/**
 * SPEC §4.2 "tested, not assumed": real processes, each with its own Ledger
 * and cache, racing on one task of one repository through the local store's
 * compare-and-swap. All start their mutation at the same moment (a "go" on
 * stdin once every process has loaded).
 */

const WORKER = fileURLToPath(new URL("./workers/ledger-worker.ts", import.meta.url));
const PROCESSES = 16;

interface WorkerResult {
  run: string;
  ok: boolean;
  attempts?: number;
  claimed?: number[];
  appended?: number;
  replayWrote?: boolean;
  error?: string;
  holder?: string;
  stage?: number;
}

let repo: TempRepo;
beforeEach(async () => {
  repo = await tempRepo();
});
afterEach(async () => {
  await repo.cleanup();
});

function startWorker(args: string[]): { child: ChildProcess; ready: Promise<void>; result: Promise<WorkerResult> } {
  const child = spawn(process.execPath, ["--import", "tsx", WORKER, ...args], { stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  let signalReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (signalReady = resolve));
  child.stdout!.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    if (stdout.startsWith("ready\n")) signalReady();
  });
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const result = new Promise<WorkerResult>((resolve, reject) => {
    child.on("close", (code) => {
      const last = stdout.trim().split("\n").at(-1) ?? "";
      if (code !== 0 || !last.startsWith("{")) reject(new Error(`worker ${args.join(" ")} exited ${code}: ${stderr}`));
      else resolve(JSON.parse(last) as WorkerResult);
    });
  });
  return { child, ready, result };
}

/** Starts every worker, waits until all are loaded, then releases them together. */
async function race(argsList: string[][]): Promise<WorkerResult[]> {
  const workers = argsList.map(startWorker);
  await Promise.all(workers.map((w) => w.ready));
  for (const w of workers) w.child.stdin!.end("go\n");
  return Promise.all(workers.map((w) => w.result));
}

async function rowsOnBranch(): Promise<Array<Record<string, unknown>>> {
  const text = await showFile(repo.dir, "tasks/7/ledger.jsonl");
  return text
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function expectLinearAndSound(): Promise<void> {
  expect((await git(["rev-list", "--merges", "okstra/ledger"], { cwd: repo.dir })).stdout).toBe("");
  const fsck = await git(["fsck", "--full", "--no-dangling"], { cwd: repo.dir, allowFailure: true });
  expect(fsck.exitCode).toBe(0);
  expect(`${fsck.stdout}${fsck.stderr}`).not.toMatch(/error|missing|broken|corrupt/i);
}

describe("concurrent writers on the local store", () => {
  it(`${PROCESSES} processes appending to one task: every row exactly once, linear history`, async () => {
    await new Ledger(createLocalLedgerStore(repo.dir)).writeFiles(7, { "task.json": json(taskMeta(7)) });

    const results = await race(
      Array.from({ length: PROCESSES }, (_, i) => [repo.dir, "7", "append", `verify-${i + 1}`, String((i % 4) + 1)]),
    );

    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(results.every((r) => r.appended === 2 && r.replayWrote === false)).toBe(true);
    const rows = await rowsOnBranch();
    expect(rows).toHaveLength(PROCESSES * 2);
    const identities = rows.map((r) => `${String(r.run)}/${String(r.status)}`).sort();
    const expected = Array.from({ length: PROCESSES }, (_, i) => [`verify-${i + 1}/pr`, `verify-${i + 1}/verified`])
      .flat()
      .sort();
    expect(identities).toEqual(expected);
    // One commit for task.json, one per process: the replays wrote nothing.
    expect((await git(["rev-list", "--count", "okstra/ledger"], { cwd: repo.dir })).stdout.trim()).toBe(
      String(PROCESSES + 1),
    );
    await expectLinearAndSound();
    // Not an assertion (it depends on scheduling), but worth seeing when the test is read in CI logs.
    process.stdout.write(`append race: attempts per process ${results.map((r) => r.attempts).join(",")}\n`);
  });

  it(`${PROCESSES} processes claiming stages of one task: no stage claimed twice, losers refused with the holder named`, async () => {
    const stageCount = 8;
    await new Ledger(createLocalLedgerStore(repo.dir)).writeFiles(7, {
      "task.json": json(taskMeta(7)),
      "plan.json": json(plan(Array.from({ length: stageCount }, (_, i) => ({ number: i + 1 })))),
    });
    // Processes 1–8 each want one stage; 9–16 want two overlapping ones, so some claims are partly free and must still be all-or-nothing.
    const requests = Array.from({ length: PROCESSES }, (_, i) =>
      i < stageCount ? [i + 1] : [(i % stageCount) + 1, ((i + 3) % stageCount) + 1].sort((a, b) => a - b),
    );
    const results = await race(
      requests.map((stages, i) => [repo.dir, "7", "claim", `impl-${i + 1}`, stages.join(",")]),
    );

    const started = (await rowsOnBranch()).filter((r) => r.status === "started");
    const holders = new Map(started.map((r) => [r.stage as number, r.run as string]));
    expect(started).toHaveLength(holders.size); // no stage claimed twice
    expect([...holders.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: stageCount }, (_, i) => i + 1));

    results.forEach((result, i) => {
      const wanted = requests[i]!;
      const mine = started.filter((r) => r.run === result.run).map((r) => r.stage);
      if (result.ok) {
        expect(result.claimed).toEqual(wanted);
        expect(mine).toEqual(wanted);
      } else {
        expect(result.error).toBe("StageClaimedError");
        expect(mine).toEqual([]); // all or nothing
        expect(wanted).toContain(result.stage);
        expect(holders.get(result.stage!)).toBe(result.holder);
      }
    });
    expect(results.filter((r) => !r.ok).length).toBeGreaterThan(0);
    await expectLinearAndSound();
    process.stdout.write(
      `claim race: ${results.filter((r) => r.ok).length} winners, attempts ${results.map((r) => r.attempts ?? "-").join(",")}\n`,
    );
  });
});
