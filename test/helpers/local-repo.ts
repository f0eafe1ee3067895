import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { runCli } from "../../src/cli/main.js";
import { createSampleRepository, FIXTURES_DIR } from "../../src/cli/sample-repository.js";
import { git } from "../../src/util/git.js";

/** The sample repository as a local platform, with helpers to drive the CLI and read what okstra wrote. */
export interface LocalRepo {
  root: string;
  dir: string;
  run(comment: string, actor?: string): Promise<{ code: number; stdout: string; stderr: string }>;
  commitFile(file: string, text: string): Promise<void>;
  comments(
    issue?: number,
  ): Promise<Array<{ id: number; author: string; body: string; reactions: Array<{ content: string }> }>>;
  ledgerFiles(): Promise<string[]>;
  ledgerFile(file: string): Promise<string>;
  ledgerCommits(): Promise<string[]>;
  setPermissions(permissions: Record<string, string>): Promise<void>;
  dispose(): Promise<void>;
}

export const RECORDINGS = path.join(FIXTURES_DIR, "recordings");
export const PLANNING_WORKER = path.join(RECORDINGS, "planning-worker.mjs");
export const PLAN_RECORDING = path.join(RECORDINGS, "inventory-csv");

/** A `command` worker spec replaying the recorded planning answers with the given flags. */
export function planningWorker(flags: string): string {
  return `{ provider: command, command: "${process.execPath} ${PLANNING_WORKER} --plan ${PLAN_RECORDING} ${flags}" }`;
}

export const EXECUTOR_WORKER = path.join(RECORDINGS, "executor-worker.mjs");

/**
 * Commits a `.github/okstra.yml` whose planning workers replay the recorded
 * plan and whose executor replays the recorded stages with `executorFlags`
 * (e.g. `--mode commit-then-sleep --only-stage 1`); no pilot. `extra` lines
 * are appended as they are.
 */
export async function configureRecordedWorkers(
  repo: LocalRepo,
  executorFlags: string,
  extra: string[] = [],
): Promise<void> {
  await repo.commitFile(
    ".github/okstra.yml",
    [
      "workers:",
      `  lead: ${planningWorker("--lead good")}`,
      `  analysers: [ ${planningWorker("--draft full --review agree")}, ${planningWorker("--draft full --review agree")} ]`,
      `  executor: { provider: command, command: "${process.execPath} ${EXECUTOR_WORKER} --stages ${path.join(PLAN_RECORDING, "stages")} ${executorFlags}" }`,
      "pilot: false",
      ...extra,
    ].join("\n"),
  );
}

export async function createLocalRepo(options: { issueFile?: string } = {}): Promise<LocalRepo> {
  const root = await mkdtemp(path.join(tmpdir(), "okstra-local-"));
  const dir = await createSampleRepository(path.join(root, "inventory-lib"));
  const issueFile = options.issueFile ?? path.join(FIXTURES_DIR, "sample-issue.md");
  // Each test gets its own mirror cache and run directories, removed with it.
  process.env.OKSTRA_CACHE_DIR = path.join(root, "cache");
  return {
    root,
    dir,
    async run(comment, actor = "maintainer") {
      let stdout = "";
      let stderr = "";
      const code = await runCli(
        ["run", comment, "--repo", dir, "--issue", "1", "--issue-file", issueFile, "--actor", actor],
        {
          stdout: (t) => (stdout += t),
          stderr: (t) => (stderr += t),
        },
      );
      return { code, stdout, stderr };
    },
    async commitFile(file, text) {
      await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
      await writeFile(path.join(dir, file), text);
      await git(["add", file], { cwd: dir });
      await git(["commit", "-q", "-m", `chore: update ${file}`], { cwd: dir });
    },
    async comments(issue = 1) {
      // A pull request's conversation comments live under pulls/<n>/, an issue's under issues/<n>/ (SPEC §11.1).
      const isPull = await readFile(path.join(dir, ".okstra-local", "pulls", `${issue}.json`)).then(
        () => true,
        () => false,
      );
      const commentsDir = path.join(dir, ".okstra-local", isPull ? "pulls" : "issues", String(issue), "comments");
      const files = (await readdir(commentsDir)).filter((f) => f.endsWith(".json"));
      const all = await Promise.all(
        files.map(async (f) => JSON.parse(await readFile(path.join(commentsDir, f), "utf8"))),
      );
      return all.sort((a, b) => a.id - b.id);
    },
    async ledgerFiles() {
      const result = await git(["ls-tree", "-r", "--name-only", "okstra/ledger"], { cwd: dir, allowFailure: true });
      return result.exitCode === 0 ? result.stdout.split("\n").filter(Boolean) : [];
    },
    async ledgerFile(file) {
      return (await git(["show", `okstra/ledger:${file}`], { cwd: dir })).stdout;
    },
    async ledgerCommits() {
      const result = await git(["log", "--format=%s", "okstra/ledger"], { cwd: dir, allowFailure: true });
      return result.exitCode === 0 ? result.stdout.split("\n").filter(Boolean) : [];
    },
    async setPermissions(permissions) {
      await mkdir(path.join(dir, ".okstra-local"), { recursive: true });
      await writeFile(path.join(dir, ".okstra-local", "permissions.json"), JSON.stringify(permissions));
    },
    async dispose() {
      delete process.env.OKSTRA_CACHE_DIR;
      await rm(root, { recursive: true, force: true });
    },
  };
}
