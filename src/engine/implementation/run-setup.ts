import { appendFile, mkdir } from "node:fs/promises";
import path from "node:path";
import { git } from "../../util/git.js";
import type { Logger } from "../../util/log.js";
import { dependencyCacheFor } from "../../workspace/dependency-cache.js";
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
}

/**
 * Runs `setup:` (SPEC §3) in a freshly checked-out workspace, before any
 * worker or validation command:
 * - through the same process runner as validation (so the sandbox wraps it),
 *   exempt from the deny-list — installing is its job;
 * - with the repository's package caches, keyed by its lockfiles;
 * - then changes to tracked files are discarded (an install that rewrites
 *   `package-lock.json` must not reach the executor's commits), and what it
 *   created untracked (`node_modules/`, `.venv/`) is excluded locally, so it is
 *   never committed and survives the `git clean` after the executor.
 * Returns every command's result; the caller fails the stage on a non-zero exit.
 */
export async function runSetup(input: SetupInput): Promise<ValidationResult[]> {
  if (input.commands.length === 0) return [];
  const cache = await dependencyCacheFor(input.repoKey, input.cwd, input.cacheRoot);
  input.log.info({ cacheKey: cache.key, commands: input.commands.length }, "running setup");
  const results = await runValidation(
    input.commands.map((command) => ({ phase: "setup" as const, command })),
    { cwd: input.cwd, timeoutMs: input.timeoutMs, signal: input.signal, home: input.home, env: cache.env, writablePaths: cache.writablePaths, network: input.network, stopOnFailure: true },
  );
  await discardTrackedChanges(input.cwd);
  await excludeUntracked(input.cwd);
  return results;
}

/** Puts every tracked file back as committed; untracked files (the installed dependencies) stay. */
async function discardTrackedChanges(cwd: string): Promise<void> {
  await git(["reset", "--quiet", "--hard", "HEAD"], { cwd });
}

/**
 * Lists what setup left untracked in `.git/info/exclude` (anchored, one
 * line each), so `git add -A` by a worker and `git clean -fd` by okstra both
 * leave it alone. A repository that already ignores `node_modules/` adds nothing.
 */
async function excludeUntracked(cwd: string): Promise<void> {
  const untracked = await git(["ls-files", "--others", "--exclude-standard", "--directory", "-z"], { cwd });
  const entries = untracked.stdout.split("\0").filter(Boolean);
  if (entries.length === 0) return;
  const gitDir = (await git(["rev-parse", "--git-dir"], { cwd })).stdout.trim();
  const exclude = path.resolve(cwd, gitDir, "info", "exclude");
  await mkdir(path.dirname(exclude), { recursive: true });
  await appendFile(exclude, `\n# okstra setup\n${entries.map((e) => `/${escapeGlob(e)}`).join("\n")}\n`);
}

function escapeGlob(entry: string): string {
  return entry.replace(/[*?[\]\\!#]/g, (c) => `\\${c}`);
}
