import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { git, GitError } from "../util/git.js";
import { EMPTY_TREE, ObjectCache, type CachedTree } from "./object-cache.js";
import { LEDGER_BRANCH } from "./paths.js";
import type { CommitOutcome, CommitRequest, LedgerSnapshot, LedgerStore } from "./store.js";

/**
 * The ledger in a local repository (the CLI's platform, SPEC §11.1), written
 * with git plumbing only: no checkout, no working tree, no shared index, so it
 * never touches what the user has checked out and any number of processes can
 * write at once. The compare-and-swap is `git update-ref <ref> <new> <old>`,
 * which takes the ref's lock and checks the old value atomically.
 */

export interface LocalLedgerStoreOptions {
  branch?: string;
  cache?: ObjectCache;
}

export function createLocalLedgerStore(repoDir: string, options: LocalLedgerStoreOptions = {}): LedgerStore {
  return new LocalLedgerStore(repoDir, options.branch ?? LEDGER_BRANCH, options.cache ?? new ObjectCache());
}

/** update-ref's refusals when another writer got there first: old value moved, ref created meanwhile, or its `.lock` held. */
const LOST_RACE = /cannot lock ref/i;

class LocalLedgerStore implements LedgerStore {
  readonly describe: string;
  private readonly ref: string;

  constructor(
    private readonly repoDir: string,
    private readonly branch: string,
    private readonly cache: ObjectCache,
  ) {
    this.describe = `local:${repoDir}`;
    this.ref = `refs/heads/${branch}`;
  }

  async head(): Promise<string | null> {
    const args = ["rev-parse", "--verify", "--quiet", `${this.ref}^{commit}`];
    const result = await git(args, { cwd: this.repoDir, allowFailure: true });
    if (result.exitCode === 0) return result.stdout.trim();
    // --quiet makes a missing ref a silent exit 1; anything louder is a broken repository, not an absent branch.
    if (result.exitCode === 1 && result.stderr.trim() === "") return null;
    throw new GitError(args, result.exitCode, result.stderr);
  }

  async snapshot(commit: string | null): Promise<LedgerSnapshot> {
    const tree = commit === null ? EMPTY_TREE : await this.tree(commit);
    return this.cache.snapshot(
      commit,
      tree,
      async (sha) => (await git(["cat-file", "blob", sha], { cwd: this.repoDir })).stdout,
    );
  }

  async commit(request: CommitRequest): Promise<CommitOutcome> {
    const parentTree = request.parent === null ? EMPTY_TREE : await this.tree(request.parent);
    const treeSha = await this.writeTree(request);
    const parents = request.parent === null ? [] : ["-p", request.parent];
    const commit = (
      await git(["commit-tree", treeSha, ...parents], { cwd: this.repoDir, input: request.message })
    ).stdout.trim();
    // For creation the expected old value is all zeros, so of two creators exactly one succeeds.
    const expected = request.parent ?? "0".repeat(commit.length);
    const headline = request.message.split("\n", 1)[0] ?? "okstra ledger";
    const args = ["update-ref", "-m", headline, this.ref, commit, expected];
    const result = await git(args, { cwd: this.repoDir, allowFailure: true });
    if (result.exitCode !== 0) {
      if (LOST_RACE.test(result.stderr)) return { ok: false, lostRace: true, detail: result.stderr.trim() };
      throw new GitError(args, result.exitCode, result.stderr);
    }
    this.cache.seed(commit, parentTree.entries, request.changes, treeSha);
    return { ok: true, commit };
  }

  fileUrl(path: string): string {
    return `${this.branch}:${path}`;
  }

  async introducedBy(path: string, line: number | null, signatures?: string): Promise<string | null> {
    // blame names the commit that added a line; for a whole file, the last commit that wrote it or its signature.
    const args =
      line === null
        ? ["log", "-1", "--format=%H", this.ref, "--", path, ...(signatures ? [signatures] : [])]
        : ["blame", "--porcelain", "-L", `${line},${line}`, this.ref, "--", path];
    const result = await git(args, { cwd: this.repoDir, allowFailure: true });
    const sha = /^([0-9a-f]{40,64})\b/.exec(result.stdout)?.[1];
    return result.exitCode === 0 && sha ? sha : null;
  }

  async everHeld(path: string): Promise<boolean> {
    const result = await git(["log", "-1", "--format=%H", this.ref, "--", path], {
      cwd: this.repoDir,
      allowFailure: true,
    });
    return result.exitCode === 0 && result.stdout.trim() !== "";
  }

  private async tree(commit: string): Promise<CachedTree> {
    const cached = this.cache.tree(commit);
    if (cached) return cached;
    const { stdout } = await git(["ls-tree", "-r", "-z", "--full-tree", commit], { cwd: this.repoDir });
    const entries = new Map<string, string>();
    for (const record of stdout.split("\0")) {
      // `<mode> SP <type> SP <sha> TAB <path>`
      const match = /^\d+ blob ([0-9a-f]+)\t(.+)$/s.exec(record);
      if (match) entries.set(match[2]!, match[1]!);
    }
    const tree: CachedTree = { entries };
    this.cache.setTree(commit, tree);
    return tree;
  }

  /** Blobs into the object store, then the parent's tree plus the changes through a private index file. */
  private async writeTree(request: CommitRequest): Promise<string> {
    const records: string[] = [];
    for (const [path, text] of request.changes) {
      if (text === null) {
        records.push(`0 ${"0".repeat(40)}\t${path}`);
        continue;
      }
      const sha = (await git(["hash-object", "-w", "--stdin"], { cwd: this.repoDir, input: text })).stdout.trim();
      records.push(`100644 ${sha}\t${path}`);
    }
    const dir = await mkdtemp(join(tmpdir(), "okstra-ledger-index-"));
    const env = { GIT_INDEX_FILE: join(dir, "index") };
    try {
      if (request.parent !== null) await git(["read-tree", request.parent], { cwd: this.repoDir, env });
      const input = records.map((r) => `${r}\0`).join("");
      await git(["update-index", "-z", "--index-info"], { cwd: this.repoDir, env, input });
      return (await git(["write-tree"], { cwd: this.repoDir, env })).stdout.trim();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}
