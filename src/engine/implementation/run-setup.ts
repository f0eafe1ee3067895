import { constants } from "node:fs";
import { mkdir, open, realpath } from "node:fs/promises";
import path from "node:path";
import { git } from "../../util/git.js";
import type { Logger } from "../../util/log.js";
import { dependencyCacheFor } from "../../workspace/dependency-cache.js";
import {
  installEntries,
  installInputsTrusted,
  restoreSnapshot,
  setupSnapshotKey,
  snapshotRepoDir,
  storeSnapshot,
  untrackedEntries,
} from "../../workspace/setup-snapshot.js";
import { runValidation, type ValidationResult } from "./run-validation.js";

export interface SetupInput {
  /** The repository's `setup:` commands, in order. */
  commands: readonly string[];
  /** `owner/repo`: the package caches are the repository's own. */
  repoKey: string;
  cwd: string;
  home: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** False when `sandbox.network: off` cuts setup off the network. */
  network?: boolean;
  log: Logger;
  /** Cache root (default: `OKSTRA_CACHE_DIR`, else `<tmpdir>/okstra-cache`). */
  cacheRoot?: string;
  /**
   * The task's base commit: only a tree whose install inputs equal its own
   * stores a snapshot of what setup installed, or shares the trusted package cache.
   */
  trustedCommit?: string;
}

/**
 * Runs `setup:` (SPEC §3) in a freshly checked-out workspace, before any
 * worker or validation command:
 * - through the same process runner as validation (so the sandbox wraps it),
 *   exempt from the deny-list — installing is its job;
 * - with the repository's package caches, keyed by its lockfiles;
 * - or not at all: when a snapshot of the same install exists, it is copied
 *   in instead (`setup-snapshot.ts`), and a trusted tree's install is stored;
 * - then changes to tracked files are discarded (an install that rewrites
 *   `package-lock.json` must not reach the executor's commits), and what it
 *   created untracked (`node_modules/`, `.venv/`) is excluded locally, so it is
 *   never committed and survives the `git clean` after the executor.
 * Returns every command's result; the caller fails the stage on a non-zero exit.
 */
export async function runSetup(input: SetupInput): Promise<ValidationResult[]> {
  if (input.commands.length === 0) return [];
  const key = await setupSnapshotKey(input.cwd, "HEAD", input.commands);
  const snapshots = snapshotRepoDir(input.repoKey, input.cacheRoot);
  const started = Date.now();
  if (await restoreSnapshot(snapshots, key, input.cwd)) {
    input.log.info({ snapshot: key }, "setup restored from a snapshot of the same install");
    await excludeUntracked(input.cwd);
    return restoredResults(input.commands, key, Date.now() - started);
  }
  const trusted = await installInputsTrusted(input.cwd, input.trustedCommit);
  const before = new Set(await untrackedEntries(input.cwd));
  // An untrusted tree's install scripts get a package cache of their own: they cannot seed the trusted one.
  const cache = await dependencyCacheFor(input.repoKey, input.cwd, input.cacheRoot, trusted ? "trusted" : "untrusted");
  input.log.info({ cacheKey: cache.key, commands: input.commands.length, trusted }, "running setup");
  const { cwd, timeoutMs, signal, home, network } = input;
  const checkedOut = await whereHeadIs(cwd);
  const results = await runValidation(
    input.commands.map((command) => ({ phase: "setup" as const, command })),
    { cwd, timeoutMs, signal, home, env: cache.env, writablePaths: cache.writablePaths, network, stopOnFailure: true },
  );
  await discardTrackedChanges(input.cwd, checkedOut);
  await excludeUntracked(input.cwd);
  const succeeded = results.length === input.commands.length && results.every((r) => r.exitCode === 0 && !r.timedOut);
  if (succeeded && trusted) await keepSnapshot(input, snapshots, key, before);
  return results;
}

/** What a restored setup reports for each command: it did not run, and why. */
function restoredResults(commands: readonly string[], key: string, durationMs: number): ValidationResult[] {
  const note = `not run: restored from the setup snapshot ${key.slice(0, 12)} (same commands, same tree)`;
  const result = { phase: "setup" as const, exitCode: 0, durationMs, outputTail: note, timedOut: false };
  return commands.map((command) => ({ ...result, command }));
}

/** Stores what this setup installed; a snapshot that cannot be written only costs later workspaces time. */
async function keepSnapshot(input: SetupInput, snapshots: string, key: string, before: Set<string>): Promise<void> {
  const entries = installEntries((await untrackedEntries(input.cwd)).filter((e) => !before.has(e)));
  if (!entries) {
    input.log.info("setup created more than install trees; no snapshot stored");
    return;
  }
  try {
    await storeSnapshot(snapshots, key, input.cwd, entries);
  } catch (error) {
    input.log.warn({ err: error, snapshot: key }, "setup snapshot not stored");
  }
}

/** The branch (or detached commit) checked out before setup, to put back afterwards. */
async function whereHeadIs(cwd: string): Promise<{ branch: string | null; commit: string }> {
  const branch = await git(["symbolic-ref", "-q", "--short", "HEAD"], { cwd, allowFailure: true });
  const commit = (await git(["rev-parse", "HEAD"], { cwd })).stdout.trim();
  return { branch: branch.exitCode === 0 ? branch.stdout.trim() : null, commit };
}

/**
 * Puts the checkout back as it was before setup: every tracked file as committed, and the branch at the
 * commit it was on — a setup that commits (or switches branches) leaves nothing in the stage's history.
 * Untracked files (the installed dependencies) stay.
 */
async function discardTrackedChanges(cwd: string, before: { branch: string | null; commit: string }): Promise<void> {
  const to = before.branch === null ? ["--detach", before.commit] : ["-B", before.branch, before.commit];
  await git(["checkout", "--quiet", "--force", ...to], { cwd });
}

/**
 * Lists what setup left untracked in `.git/info/exclude` (anchored, one
 * line each), so `git add -A` by a worker and `git clean -fd` by okstra both
 * leave it alone. A repository that already ignores `node_modules/` adds nothing.
 */
async function excludeUntracked(cwd: string): Promise<void> {
  const untracked = await git(["ls-files", "--others", "--exclude-standard", "--directory", "-z"], { cwd });
  // Names are setup's (repository code) to choose: one with a line break would write a line of its own.
  const entries = untracked.stdout.split("\0").filter((e) => e !== "" && !/[\r\n]/.test(e));
  if (entries.length === 0) return;
  // Setup ran with the clone writable: `.git/info` (or the file) may now be a link to a host file. okstra
  // writes only into the clone's own `.git/info`, and never through a link.
  const info = path.join(await realpath(cwd), ".git", "info");
  await mkdir(info, { recursive: true });
  if ((await realpath(info)) !== info)
    throw new Error(`setup replaced ${info} with a link; okstra writes nothing through it`);
  const file = await open(
    path.join(info, "exclude"),
    constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW,
  );
  try {
    await file.appendFile(`\n# okstra setup\n${entries.map((e) => `/${escapeGlob(e)}`).join("\n")}\n`);
  } finally {
    await file.close();
  }
}

function escapeGlob(entry: string): string {
  return entry.replace(/[*?[\]\\!#]/g, (c) => `\\${c}`);
}
