import { join } from "node:path";
import type { GitRemote } from "../platform/types.js";
import { forgetClone, trustClone } from "../sandbox/index.js";
import { git, GitError, type GitOptions, type GitResult } from "../util/git.js";
import type { Logger } from "../util/log.js";
import { InvalidBranchNameError, MergeConflictError, UnknownRevisionError } from "./errors.js";
import {
  LOG_FORMAT,
  parseAddedLines,
  parseLog,
  parseNameStatus,
  type ChangedFile,
  type CommitInfo,
  type FileAddedLines,
} from "./git-output.js";
import { fetchCommitIntoMirror, withFreshMirror, type MirrorCacheOptions } from "./mirror-cache.js";
import { absoluteRemoteUrl, assertCredentialFreeUrl } from "./remote-url.js";
import { createRunDirectory, defaultWorkspaceRoot, removeRunDirectory } from "./run-directory.js";
import { pushFromTrustedRepository, type PushResult } from "./trusted-push.js";

/**
 * A run's workspace (SPEC §6.2): a clone in a per-run temp dir that borrows
 * its objects from the repository's mirror (`clone --shared`, i.e. an
 * alternates file pointing at the mirror's objects), with `origin` set to the
 * real remote URL — no token, anywhere on disk. The token only ever travels
 * in the per-command header of okstra's own fetches and pushes, which run in
 * repositories no worker touches (the mirror, a throwaway push repository).
 *
 * Borrowing means the workspace depends on the mirror while it lives: see
 * MIRROR_CONFIG in mirror-cache.ts for why a gc of the mirror cannot take
 * objects a live workspace needs, and docs/workspace.md for the one case that
 * can (someone deleting the cache directory under a running run).
 */

/** A remote, or a way to get one: the GitHub platform's token lives an hour, so it is asked again before every fetch or push. */
export type RemoteSource = GitRemote | (() => Promise<GitRemote>);

export type WorkspaceBase =
  | { baseBranch: string; baseCommit?: undefined }
  | { baseCommit: string; baseBranch?: undefined };

export type OpenWorkspaceOptions = WorkspaceBase & {
  remote: RemoteSource;
  runId: string;
  log: Logger;
  /** Mirror cache root (default: `OKSTRA_CACHE_DIR`, else `<tmpdir>/okstra-cache`). */
  cacheDir?: string;
  /** Parent of the per-run directories (default `<tmpdir>/okstra-runs`). */
  workspaceRoot?: string;
  /** Lock and timeout settings for the mirror. */
  mirror?: Omit<MirrorCacheOptions, "cacheDir" | "log">;
  /** Checked between the steps of opening; an aborted open removes what it made. */
  signal?: AbortSignal;
};

/** A head to merge, with the merge commit's message (default `merge: <ref>`). */
export type MergeHead = string | { ref: string; message?: string };

export async function openWorkspace(options: OpenWorkspaceOptions): Promise<Workspace> {
  const remote = await currentRemote(options.remote);
  assertCredentialFreeUrl(remote.url);
  const root = await createRunDirectory(options.workspaceRoot ?? defaultWorkspaceRoot(), options.runId);
  try {
    options.signal?.throwIfAborted();
    const dir = join(root, "repo");
    const mirrorOptions: MirrorCacheOptions = { ...options.mirror, cacheDir: options.cacheDir, log: options.log };
    // The clone snapshots the mirror's refs while the lock still holds the fetch's result steady.
    const mirror = await withFreshMirror(remote, mirrorOptions, async (fresh) => {
      await git(["clone", "--shared", "--no-checkout", "--quiet", fresh.path, dir], { cwd: root });
      return fresh;
    });
    await git(["remote", "set-url", "origin", absoluteRemoteUrl(remote.url)], { cwd: dir });
    // Sandboxed git in the clone reads the borrowed objects, and only this repository's.
    trustClone(dir, [join(mirror.path, "objects")]);
    options.signal?.throwIfAborted();
    const workspace = new Workspace({
      root,
      dir,
      runId: options.runId,
      mirrorPath: mirror.path,
      remote: options.remote,
      mirrorOptions,
      log: options.log,
    });
    const base = await workspace.resolveCommit(options.baseCommit ?? options.baseBranch);
    await git(["checkout", "--quiet", "--detach", base], { cwd: dir });
    options.signal?.throwIfAborted();
    // `workspace`, not `run`: the caller's logger carries the run id, and pino would write the key twice.
    options.log.info(
      { workspace: options.runId, base, mirror: mirror.key, created: mirror.created },
      "workspace ready",
    );
    return workspace;
  } catch (error) {
    forgetClone(join(root, "repo"));
    await removeRunDirectory(root);
    throw error;
  }
}

/** Opens a workspace for `fn` and removes it afterwards, whether `fn` returns, throws or was aborted. */
export async function withWorkspace<T>(
  options: OpenWorkspaceOptions,
  fn: (workspace: Workspace) => Promise<T>,
): Promise<T> {
  const workspace = await openWorkspace(options);
  try {
    return await fn(workspace);
  } finally {
    await workspace.dispose();
  }
}

interface WorkspaceParts {
  root: string;
  dir: string;
  runId: string;
  mirrorPath: string;
  remote: RemoteSource;
  mirrorOptions: MirrorCacheOptions;
  log: Logger;
}

export class Workspace {
  /** The run directory; removed by `dispose()`. */
  readonly root: string;
  /** The clone's working tree: the worker's working directory. */
  readonly dir: string;
  readonly runId: string;
  readonly mirrorPath: string;
  private disposed = false;

  constructor(private readonly parts: WorkspaceParts) {
    this.root = parts.root;
    this.dir = parts.dir;
    this.runId = parts.runId;
    this.mirrorPath = parts.mirrorPath;
  }

  /**
   * A commit id for a revision: anything `rev-parse` understands here, else a
   * branch of the remote (`refs/remotes/origin/<name>`), else — for a full
   * commit id no branch holds any more — fetched into the mirror by id.
   */
  async resolveCommit(revision: string): Promise<string> {
    if (revision.startsWith("-")) throw new UnknownRevisionError(revision);
    for (const candidate of [revision, `refs/remotes/origin/${revision}`]) {
      const found = await this.git(["rev-parse", "--verify", "--quiet", `${candidate}^{commit}`], {
        allowFailure: true,
      });
      if (found.exitCode === 0) return found.stdout.trim();
    }
    const remote = await currentRemote(this.parts.remote);
    if (await fetchCommitIntoMirror(remote, revision, this.parts.mirrorOptions)) {
      const fetched = await this.git(["rev-parse", "--verify", "--quiet", `${revision}^{commit}`], {
        allowFailure: true,
      });
      if (fetched.exitCode === 0) return fetched.stdout.trim();
    }
    throw new UnknownRevisionError(revision);
  }

  /** Creates (or resets) `name` at `base` and checks it out; returns the base commit. */
  async checkoutNewBranch(name: string, base: string): Promise<string> {
    await this.assertBranchName(name);
    const commit = await this.resolveCommit(base);
    await this.git(["checkout", "--quiet", "--no-track", "-B", name, commit]);
    return commit;
  }

  /**
   * Checks out `branch` and merges each head into it in order (`--no-ff`).
   * All or nothing: on a conflict the merge is aborted, the branch is put back
   * where it was, and a MergeConflictError names the conflicting paths.
   */
  async mergeInto(branch: string, heads: readonly MergeHead[], options: { log?: Logger } = {}): Promise<string> {
    await this.assertBranchName(branch);
    await this.git(["checkout", "--quiet", branch]);
    const start = await this.headCommit();
    for (const head of heads) {
      const { ref, message } = typeof head === "string" ? { ref: head, message: undefined } : head;
      const commit = await this.resolveCommit(ref);
      const args = [
        "-c",
        "commit.gpgSign=false",
        "merge",
        "--no-ff",
        "--no-edit",
        "--quiet",
        "-m",
        message ?? `merge: ${ref}`,
        commit,
      ];
      const merged = await this.git(args, { allowFailure: true });
      if (merged.exitCode === 0) continue;
      const paths = await this.unmergedPaths();
      await this.git(["merge", "--abort"], { allowFailure: true });
      await this.git(["reset", "--quiet", "--hard", start]);
      if (paths.length === 0) throw new GitError(args, merged.exitCode, merged.stderr);
      (options.log ?? this.parts.log).info({ workspace: this.runId, branch, head: ref, paths }, "merge conflict");
      throw new MergeConflictError(branch, ref, paths);
    }
    return this.headCommit();
  }

  async headCommit(): Promise<string> {
    return (await this.git(["rev-parse", "--verify", "HEAD^{commit}"])).stdout.trim();
  }

  /** Commits reachable from HEAD but not from `base`, oldest first. */
  async commitsSince(base: string): Promise<CommitInfo[]> {
    const from = await this.resolveCommit(base);
    const log = await this.git(["log", "-z", "--reverse", `--format=${LOG_FORMAT}`, `${from}..HEAD`]);
    return parseLog(log.stdout);
  }

  /** Files the commits since `base` changed (committed work only; renames as a delete and an add). */
  async changedFiles(base: string): Promise<ChangedFile[]> {
    const from = await this.resolveCommit(base);
    const diff = await this.git(["diff", "--name-status", "-z", "--no-renames", "--no-ext-diff", from, "HEAD", "--"]);
    return parseNameStatus(diff.stdout);
  }

  /** Lines the commits since `base` added, per file, with their line numbers (for placeholder scans). */
  async addedLines(base: string): Promise<FileAddedLines[]> {
    const from = await this.resolveCommit(base);
    const args = [
      "-c",
      "core.quotePath=false",
      "diff",
      "--unified=0",
      "--no-color",
      "--no-ext-diff",
      "--no-textconv",
      "--no-renames",
    ];
    const diff = await this.git([...args, "--src-prefix=a/", "--dst-prefix=b/", from, "HEAD", "--"]);
    return parseAddedLines(diff.stdout);
  }

  /**
   * Pushes local `branch` to the remote branch of the same name, only if the
   * remote branch is at `expectedRemoteHead` (null: does not exist yet) and the
   * push is a fast-forward of it; otherwise a PushRejectedError. See
   * trusted-push.ts for why the push does not run in this clone.
   */
  async push(
    branch: string,
    options: {
      expectedRemoteHead: string | null;
      log?: Logger;
      rewrite?: { keep: string };
      /** Local branches pushed with this one, all or none (`git push --atomic`), each under its own lease. */
      alongside?: Array<{ branch: string; expectedRemoteHead: string | null; rewrite?: { keep: string } }>;
    },
  ): Promise<PushResult> {
    const commitOf = async (name: string) => {
      await this.assertBranchName(name);
      return (await this.git(["rev-parse", "--verify", `refs/heads/${name}^{commit}`])).stdout.trim();
    };
    const commit = await commitOf(branch);
    const alongside = [];
    for (const other of options.alongside ?? []) alongside.push({ ...other, commit: await commitOf(other.branch) });
    const result = await pushFromTrustedRepository({
      remote: await currentRemote(this.parts.remote),
      branch,
      commit,
      expectedRemoteHead: options.expectedRemoteHead,
      ...(options.rewrite ? { rewrite: options.rewrite } : {}),
      ...(alongside.length > 0 ? { alongside } : {}),
      objectDirectories: [join(this.dir, ".git", "objects"), join(this.mirrorPath, "objects")],
      scratchDir: this.root,
      // The caller's logger when it has a narrower one (a stage's): the push is that stage's work.
      log: options.log ?? this.parts.log,
    });
    for (const pushed of [{ branch, commit }, ...alongside])
      await this.git(["update-ref", `refs/remotes/origin/${pushed.branch}`, pushed.commit]);
    return result;
  }

  /** Removes the run directory. Safe to call more than once. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    forgetClone(this.dir);
    await removeRunDirectory(this.root);
  }

  private async unmergedPaths(): Promise<string[]> {
    const listed = await this.git(["ls-files", "--unmerged", "-z"]);
    const paths = listed.stdout
      .split("\0")
      .filter(Boolean)
      .map((entry) => entry.slice(entry.indexOf("\t") + 1));
    return [...new Set(paths)].sort();
  }

  private async assertBranchName(name: string): Promise<void> {
    const valid =
      !name.startsWith("-") &&
      (await this.git(["check-ref-format", `refs/heads/${name}`], { allowFailure: true })).exitCode === 0;
    if (!valid) throw new InvalidBranchNameError(name);
  }

  private git(args: string[], options: Omit<GitOptions, "cwd" | "extraHeader"> = {}): Promise<GitResult> {
    return git(args, { ...options, cwd: this.dir });
  }
}

async function currentRemote(source: RemoteSource): Promise<GitRemote> {
  return typeof source === "function" ? source() : source;
}
