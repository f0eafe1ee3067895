import { afterAll, afterEach, beforeAll } from "@jest/globals";
import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { runCli } from "../../src/cli/main.js";
import { readIssueFile } from "../../src/cli/local-services.js";
import { createSampleRepository, FIXTURES_DIR } from "../../src/cli/sample-repository.js";
import { executeCommand, type CommandOutcome } from "../../src/engine/execute-command.js";
import { Ledger } from "../../src/ledger/ledger.js";
import { createLocalLedgerStore } from "../../src/ledger/local-store.js";
import type { RowInput } from "../../src/ledger/rows.js";
import {
  addLocalComment,
  createLocalIssue,
  createLocalPlatform,
  readLocalComments,
  readLocalIssue,
} from "../../src/platform/local/index.js";
import { listLocalPulls, updateLocalPull, type LocalPull } from "../../src/platform/local/records.js";
import type { Platform } from "../../src/platform/types.js";
import type { CommandJob } from "../../src/queue/types.js";
import { git } from "../../src/util/git.js";
import { silentLogger } from "../../src/util/log.js";
import { planningWorker, RECORDINGS } from "../helpers/local-repo.js";

/**
 * The implementation scenario, ready to ship: the sample repository with its
 * recorded 4-stage plan (1 and 2 independent, 3 on both, 4 on 3) planned,
 * approved and implemented by the recorded executor in three runs, and every
 * stage verified `accepted` at its head — the rows verification writes
 * (SPEC §4.1). Built once per test file and copied for each test.
 */

const EXECUTOR = path.join(RECORDINGS, "executor-worker.mjs");
const STAGES = path.join(RECORDINGS, "inventory-csv", "stages");
const ISSUE_FILE = path.join(FIXTURES_DIR, "sample-issue.md");
export const ISSUE = 1;
const ACTOR = "maintainer";

export interface ShipRepo {
  dir: string;
  platform: Platform;
  ledger: Ledger;
  /** `okstra run "<comment>"` through the real CLI. */
  cli(comment: string): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Posts a comment and returns the job the App would queue for it (no run yet). */
  post(comment: string): Promise<CommandJob>;
  /** Carries out a job as the queue processor would; status edits unthrottled. */
  execute(job: CommandJob): Promise<CommandOutcome>;
  rows(): Promise<Array<Record<string, any>>>;
  append(rows: RowInput[]): Promise<void>;
  pulls(): Promise<LocalPull[]>;
  comments(issue?: number): Promise<Array<{ id: number; author: string; body: string }>>;
  lastReply(): Promise<string>;
  head(ref: string): Promise<string>;
  refExists(ref: string): Promise<boolean>;
  ledgerFiles(): Promise<string[]>;
  /** Commits `files` on top of `branch` in DIR (as someone pushing to it would) and returns the new head. */
  commitOn(branch: string, files: Record<string, string>, message: string): Promise<string>;
  /** Merges `head` into `base` in DIR and marks the pull request merged: what GitHub's merge button does. */
  mergePull(number: number): Promise<void>;
  dispose(): Promise<void>;
}

function executor() {
  return `{ provider: command, command: "${process.execPath} ${EXECUTOR} --stages ${STAGES}" }`;
}

/** Plans, approves, implements and verifies the sample in a fresh repository; returns its directory. */
async function buildShipTemplate(): Promise<{ root: string; dir: string }> {
  const root = await mkdtemp(path.join(tmpdir(), "okstra-ship-template-"));
  const dir = await createSampleRepository(path.join(root, "inventory-lib"));
  process.env.OKSTRA_CACHE_DIR = path.join(root, "cache");
  const config = [
    "workers:",
    `  lead: ${planningWorker("--lead good")}`,
    `  analysers: [ ${planningWorker("--draft full --review agree")}, ${planningWorker("--draft full --review agree")} ]`,
    `  executor: ${executor()}`,
    "pilot: false",
  ].join("\n");
  await mkdir(path.join(dir, ".github"), { recursive: true });
  await writeFile(path.join(dir, ".github", "okstra.yml"), config);
  await git(["add", ".github/okstra.yml"], { cwd: dir });
  await git(["commit", "-q", "-m", "chore: configure okstra"], { cwd: dir });

  const repo = openShipRepo(root, dir);
  for (const command of [
    "/okstra plan",
    "/okstra approve",
    "/okstra implement",
    "/okstra implement",
    "/okstra implement",
  ]) {
    const outcome = await repo.execute(await repo.post(command));
    if (outcome.result !== "carried-out") throw new Error(`${command} did not run: ${JSON.stringify(outcome)}`);
  }
  const done = (await repo.rows()).filter((r) => r.status === "done");
  if (done.length !== 4) throw new Error(`expected 4 done stages, got ${done.length}`);
  await repo.append(
    done.map((r) => ({
      run: "verify-1",
      status: "verified",
      stage: r.stage,
      verdict: "accepted",
      reportPath: "runs/verify-1/report.md",
      headCommit: r.headCommit,
    })),
  );
  return { root, dir };
}

/**
 * The shared set-up of the ship suites: the template is built once per file
 * (a plan, four implemented and verified stages) and each test takes a fresh
 * copy with `shipRepo()`, disposed after the test.
 */
export function useShipTemplate(): { shipRepo(): Promise<ShipRepo> } {
  let template: { root: string; dir: string };
  const copies: ShipRepo[] = [];
  beforeAll(async () => {
    template = await buildShipTemplate();
  }, 240_000);
  afterAll(async () => {
    await rm(template.root, { recursive: true, force: true });
  });
  afterEach(async () => {
    await Promise.all(copies.splice(0).map((copy) => copy.dispose()));
  });
  return {
    async shipRepo() {
      const copy = await copyShipTemplate(template);
      copies.push(copy);
      return copy;
    },
  };
}

/** A copy of the template for one test, with its own mirror cache. */
async function copyShipTemplate(template: { dir: string }): Promise<ShipRepo> {
  const root = await mkdtemp(path.join(tmpdir(), "okstra-ship-"));
  const dir = path.join(root, "inventory-lib");
  await cp(template.dir, dir, { recursive: true });
  process.env.OKSTRA_CACHE_DIR = path.join(root, "cache");
  return openShipRepo(root, dir);
}

function openShipRepo(root: string, dir: string): ShipRepo {
  const platform = createLocalPlatform({ repoDir: dir, actor: ACTOR });
  const ledger = new Ledger(createLocalLedgerStore(dir));
  const gitOut = async (args: string[]) => (await git(args, { cwd: dir })).stdout.trim();
  const repo: ShipRepo = {
    dir,
    platform,
    ledger,
    async cli(comment) {
      let stdout = "";
      let stderr = "";
      const code = await runCli(["run", comment, "--repo", dir, "--issue", String(ISSUE), "--actor", ACTOR], {
        stdout: (t) => (stdout += t),
        stderr: (t) => (stderr += t),
      });
      return { code, stdout, stderr };
    },
    async post(comment) {
      if (!(await readLocalIssue(dir, ISSUE)))
        await createLocalIssue(dir, { number: ISSUE, ...(await readIssueFile(ISSUE_FILE)), author: ACTOR });
      const posted = await addLocalComment(dir, ISSUE, { author: ACTOR, body: comment });
      return {
        deliveryId: `local-${posted.id}`,
        repo: platform.repo,
        issueNumber: ISSUE,
        isPullRequest: false,
        comment: { id: posted.id, body: posted.body, author: ACTOR, createdAt: posted.createdAt },
        receivedAt: new Date().toISOString(),
      };
    },
    execute: (job) => executeCommand(job, { platform, ledger, log: silentLogger, statusIntervalMs: 0 }),
    async rows() {
      const text = await gitOut(["show", `okstra/ledger:tasks/${ISSUE}/ledger.jsonl`]);
      return text
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line));
    },
    async append(rows) {
      await ledger.appendRows(ISSUE, rows);
    },
    pulls: async () => (await listLocalPulls(dir)).sort((a, b) => a.number - b.number),
    comments: (issue = ISSUE) => readLocalComments(dir, issue),
    async lastReply() {
      return (await readLocalComments(dir, ISSUE)).at(-1)!.body;
    },
    head: (ref) => gitOut(["rev-parse", `${ref}^{commit}`]),
    async refExists(ref) {
      return (await git(["rev-parse", "--verify", "--quiet", ref], { cwd: dir, allowFailure: true })).exitCode === 0;
    },
    async ledgerFiles() {
      return (await gitOut(["ls-tree", "-r", "--name-only", "okstra/ledger"])).split("\n").filter(Boolean);
    },
    async commitOn(branch, files, message) {
      // A throwaway detached worktree, so DIR's own checkout is not in the way; the branch is moved after.
      const worktree = path.join(root, `wt-${Date.now()}-${Math.random().toString(36).slice(2)}`);
      const before = await gitOut(["rev-parse", `refs/heads/${branch}`]);
      await git(["worktree", "add", "-q", "--detach", worktree, branch], { cwd: dir });
      let head: string;
      try {
        for (const [file, text] of Object.entries(files)) {
          await mkdir(path.dirname(path.join(worktree, file)), { recursive: true });
          await writeFile(path.join(worktree, file), text);
          await git(["add", file], { cwd: worktree });
        }
        await git(["commit", "-q", "-m", message], { cwd: worktree });
        head = (await git(["rev-parse", "HEAD"], { cwd: worktree })).stdout.trim();
        await git(["update-ref", `refs/heads/${branch}`, head, before], { cwd: worktree });
      } finally {
        await git(["worktree", "remove", "--force", worktree], { cwd: dir });
      }
      if (branch === (await gitOut(["branch", "--show-current"])))
        await git(["reset", "-q", "--hard", branch], { cwd: dir });
      return head;
    },
    async mergePull(number) {
      const pull = (await repo.pulls()).find((p) => p.number === number)!;
      const worktree = path.join(root, `merge-${number}`);
      await git(["worktree", "add", "-q", "--detach", worktree, pull.base], { cwd: dir });
      try {
        await git(["merge", "-q", "--no-ff", "-m", `Merge pull request #${number} from ${pull.head}`, pull.head], {
          cwd: worktree,
        });
        await git(["update-ref", `refs/heads/${pull.base}`, "HEAD"], { cwd: worktree });
      } finally {
        await git(["worktree", "remove", "--force", worktree], { cwd: dir });
      }
      // DIR has `main` checked out: bring its working tree along, as a merge on GitHub leaves the clone to catch up.
      if (pull.base === (await gitOut(["branch", "--show-current"])))
        await git(["reset", "-q", "--hard", pull.base], { cwd: dir });
      await updateLocalPull(dir, number, (p) => ({ ...p, state: "closed", merged: true }));
    },
    async dispose() {
      delete process.env.OKSTRA_CACHE_DIR;
      await rm(root, { recursive: true, force: true });
    },
  };
  return repo;
}
