import { encodePathSegments } from "../platform/github/errors.js";
import type { GitHubClient } from "../platform/github/client.js";
import type { RepoRef } from "../platform/types.js";
import {
  commitWithGraphql,
  commitWithRest,
  createOrphanBranch,
  type GitHubTarget,
  type WriteResult,
} from "./github-commit.js";
import { httpStatus } from "./github-errors.js";
import { EMPTY_TREE, ObjectCache, type CachedTree } from "./object-cache.js";
import { LEDGER_BRANCH } from "./paths.js";
import type { CommitOutcome, CommitRequest, LedgerSnapshot, LedgerStore } from "./store.js";

/**
 * The ledger on GitHub (SPEC §4.2). Request budget per mutation when nothing
 * raced and the cache is warm: one ref read (`GET git/ref`) and one write —
 * the listing and blobs of the head commit are in the SHA-keyed cache, seeded
 * by this adapter's own previous write. See docs/ledger.md for the measured
 * figures of both write recipes.
 */

export type GitHubWriteRecipe = "graphql" | "rest";

export interface GitHubLedgerStoreOptions {
  /** `graphql` (default): createCommitOnBranch, 1 write. `rest`: tree + commit + PATCH ref, 3 writes. */
  recipe?: GitHubWriteRecipe;
  /** Web origin for `fileUrl`, for GitHub Enterprise (`https://ghe.example.com`). */
  webBase?: string;
  branch?: string;
  cache?: ObjectCache;
}

/** How far back the search for the commit that introduced an untrusted row goes (one page of commits). */
const INTRODUCED_BY_WALK = 30;

export function createGitHubLedgerStore(
  client: GitHubClient,
  repo: RepoRef,
  options: GitHubLedgerStoreOptions = {},
): LedgerStore {
  return new GitHubLedgerStore(
    { client, repo, branch: options.branch ?? LEDGER_BRANCH },
    options.recipe ?? "graphql",
    (options.webBase ?? "https://github.com").replace(/\/+$/, ""),
    options.cache ?? new ObjectCache(),
  );
}

class GitHubLedgerStore implements LedgerStore {
  readonly describe: string;

  constructor(
    private readonly target: GitHubTarget,
    private readonly recipe: GitHubWriteRecipe,
    private readonly webBase: string,
    private readonly cache: ObjectCache,
  ) {
    this.describe = `github:${target.repo.owner}/${target.repo.repo}`;
  }

  async head(): Promise<string | null> {
    const { owner, repo } = this.target.repo;
    try {
      const { data } = await this.target.client.request(
        `GET /repos/{owner}/{repo}/git/ref/heads/${encodePathSegments(this.target.branch)}`,
        { owner, repo },
      );
      return data.object.sha;
    } catch (error) {
      if (httpStatus(error) === 404) return null;
      throw error;
    }
  }

  async snapshot(commit: string | null): Promise<LedgerSnapshot> {
    const tree = commit === null ? EMPTY_TREE : await this.tree(commit);
    return this.cache.snapshot(commit, tree, (sha) => this.blob(sha));
  }

  async commit(request: CommitRequest): Promise<CommitOutcome> {
    const parentTree = request.parent === null ? EMPTY_TREE : await this.tree(request.parent);
    const result = await this.write(request, parentTree);
    if (result.outcome.ok) this.cache.seed(result.outcome.commit, parentTree.entries, request.changes, result.treeSha);
    return result.outcome;
  }

  fileUrl(path: string): string {
    const { owner, repo } = this.target.repo;
    const encoded = path.split("/").map(encodeURIComponent).join("/");
    return `${this.webBase}/${owner}/${repo}/blob/${this.target.branch}/${encoded}`;
  }

  private async write(request: CommitRequest, parentTree: CachedTree): Promise<WriteResult> {
    if (request.parent === null) return createOrphanBranch(this.target, request.changes, request.message);
    if (this.recipe === "graphql")
      return commitWithGraphql(this.target, request.parent, request.changes, request.message);
    const base = parentTree.treeSha ?? (await this.commitTree(request.parent));
    return commitWithRest(this.target, request.parent, base, request.changes, request.message);
  }

  /**
   * A commit's whole listing in one request: `GET git/trees/{sha}?recursive=1`
   * accepts the commit SHA (a tree-ish) and answers with the root tree's SHA.
   * Past GitHub's recursive limit (`truncated: true`) the tree is walked one
   * level at a time, as the documentation asks.
   */
  private async tree(commit: string): Promise<CachedTree> {
    const cached = this.cache.tree(commit);
    if (cached) return cached;
    const { owner, repo } = this.target.repo;
    const { data } = await this.target.client.request("GET /repos/{owner}/{repo}/git/trees/{tree_sha}", {
      owner,
      repo,
      tree_sha: commit,
      recursive: "1",
    });
    const entries = new Map<string, string>();
    if (data.truncated) await this.walk(data.sha, "", entries);
    else
      for (const entry of data.tree)
        if (entry.type === "blob" && entry.path && entry.sha) entries.set(entry.path, entry.sha);
    const tree: CachedTree = { entries, treeSha: data.sha };
    this.cache.setTree(commit, tree);
    return tree;
  }

  private async walk(treeSha: string, prefix: string, entries: Map<string, string>): Promise<void> {
    const { owner, repo } = this.target.repo;
    const { data } = await this.target.client.request("GET /repos/{owner}/{repo}/git/trees/{tree_sha}", {
      owner,
      repo,
      tree_sha: treeSha,
    });
    for (const entry of data.tree) {
      if (!entry.path || !entry.sha) continue;
      if (entry.type === "blob") entries.set(prefix + entry.path, entry.sha);
      if (entry.type === "tree") await this.walk(entry.sha, `${prefix}${entry.path}/`, entries);
    }
  }

  private async blob(sha: string): Promise<string> {
    const { owner, repo } = this.target.repo;
    const { data } = await this.target.client.request("GET /repos/{owner}/{repo}/git/blobs/{file_sha}", {
      owner,
      repo,
      file_sha: sha,
    });
    return data.encoding === "base64" ? Buffer.from(data.content, "base64").toString("utf8") : data.content;
  }

  /**
   * GitHub's commits for the path, newest first: for a file the newest one; for a line, walking back while
   * the line reads the same, the oldest commit of that run (each step one tree and one blob read, cached).
   */
  async introducedBy(path: string, line: number | null, signatures?: string): Promise<string | null> {
    const { owner, repo } = this.target.repo;
    const { data } = await this.target.client.request("GET /repos/{owner}/{repo}/commits", {
      owner,
      repo,
      sha: this.target.branch,
      path,
      per_page: line === null ? 1 : INTRODUCED_BY_WALK,
    });
    const commits = data.map((c) => c.sha);
    if (line === null && signatures) {
      const { data: vouching } = await this.target.client.request("GET /repos/{owner}/{repo}/commits", {
        owner,
        repo,
        sha: this.target.branch,
        path: signatures,
        per_page: 1,
      });
      const when = (c: (typeof data)[number] | undefined) => Date.parse(c?.commit.committer?.date ?? "") || 0;
      return (when(vouching[0]) > when(data[0]) ? vouching[0]?.sha : data[0]?.sha) ?? null;
    }
    if (line === null || commits.length === 0) return commits[0] ?? null;
    const lineAt = async (commit: string) => (await (await this.snapshot(commit)).read(path))?.split("\n")[line - 1];
    const target = await lineAt(commits[0]!);
    let introducer = commits[0]!;
    for (const commit of commits.slice(1)) {
      if ((await lineAt(commit)) !== target) break;
      introducer = commit;
    }
    return introducer;
  }

  async everHeld(path: string): Promise<boolean> {
    const { owner, repo } = this.target.repo;
    const { data } = await this.target.client.request("GET /repos/{owner}/{repo}/commits", {
      owner,
      repo,
      sha: this.target.branch,
      path,
      per_page: 1,
    });
    return data.length > 0;
  }

  /** Only when the REST recipe writes on top of a commit this process knows by listing alone (not seen in practice). */
  private async commitTree(commit: string): Promise<string> {
    const { owner, repo } = this.target.repo;
    const { data } = await this.target.client.request("GET /repos/{owner}/{repo}/git/commits/{commit_sha}", {
      owner,
      repo,
      commit_sha: commit,
    });
    return data.tree.sha;
  }
}
