import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import path from "node:path";
import { git } from "../../src/util/git.js";

/**
 * The fake GitHub's storage: the same bare repository the git server
 * serves. Its REST git-data endpoints and `createCommitOnBranch` are applied
 * here with git's own plumbing, so ledger commits have real object ids, and
 * a stage branch okstra pushes is visible to `GET git/ref/heads/…` at once —
 * as on GitHub, where both are views of one repository.
 */

export interface TreeEntry {
  path: string;
  mode: string;
  type: "blob" | "tree" | "commit";
  sha: string;
  size?: number;
}

/** A file change; `null` contents delete the path. */
export interface FileChange {
  path: string;
  contents: Buffer | null;
}

// Fixed identity and dates: GitHub signs API commits as itself; the tests only need them stable.
const COMMITTER = {
  GIT_AUTHOR_NAME: "okstra[bot]",
  GIT_AUTHOR_EMAIL: "okstra[bot]@users.noreply.github.com",
  GIT_COMMITTER_NAME: "GitHub",
  GIT_COMMITTER_EMAIL: "noreply@github.com",
};

export class BareRepo {
  constructor(readonly dir: string) {}

  async head(branch: string): Promise<string | null> {
    const result = await git(["rev-parse", "--verify", "--quiet", `refs/heads/${branch}^{commit}`], {
      cwd: this.dir,
      allowFailure: true,
    });
    return result.exitCode === 0 ? result.stdout.trim() : null;
  }

  async branches(): Promise<string[]> {
    const result = await git(["for-each-ref", "--format=%(refname:strip=2)", "refs/heads/"], { cwd: this.dir });
    return result.stdout.split("\n").filter(Boolean);
  }

  /** The object type of `sha`, or null when the repository does not have it. */
  async typeOf(sha: string): Promise<string | null> {
    if (!/^[0-9a-f]{40}$/.test(sha)) return null;
    const result = await git(["cat-file", "-t", sha], { cwd: this.dir, allowFailure: true });
    return result.exitCode === 0 ? result.stdout.trim() : null;
  }

  /** The tree a tree-ish names (a commit resolves to its root tree, as GitHub's trees endpoint allows). */
  async treeOf(treeish: string): Promise<string | null> {
    const result = await git(["rev-parse", "--verify", "--quiet", `${treeish}^{tree}`], {
      cwd: this.dir,
      allowFailure: true,
    });
    return result.exitCode === 0 ? result.stdout.trim() : null;
  }

  async listTree(tree: string, recursive: boolean): Promise<TreeEntry[]> {
    const args = ["ls-tree", "-l", "-z", ...(recursive ? ["-r", "-t"] : []), tree];
    const { stdout } = await git(args, { cwd: this.dir });
    return stdout
      .split("\0")
      .filter(Boolean)
      .map((line) => {
        const [meta, entryPath] = line.split("\t");
        const [mode, type, sha, size] = meta.split(/\s+/);
        const entry: TreeEntry = { path: entryPath, mode, type: type as TreeEntry["type"], sha };
        if (type === "blob") entry.size = Number(size);
        return entry;
      });
  }

  async blob(sha: string): Promise<Buffer> {
    const { stdout } = await git(["cat-file", "blob", sha], { cwd: this.dir });
    return Buffer.from(stdout, "utf8");
  }

  /** A file's text at a ref, or null when absent. */
  async fileAt(ref: string, filePath: string): Promise<string | null> {
    const result = await git(["show", `${ref}:${filePath}`], { cwd: this.dir, allowFailure: true });
    return result.exitCode === 0 ? result.stdout : null;
  }

  /** A new tree: `base` (a tree-ish, or none) with the changes applied, built in a private index. */
  async writeTree(base: string | null, changes: FileChange[]): Promise<string> {
    const index = path.join(this.dir, `fake-github-index-${randomBytes(4).toString("hex")}`);
    const env = { GIT_INDEX_FILE: index };
    try {
      if (base) await git(["read-tree", base], { cwd: this.dir, env });
      else await git(["read-tree", "--empty"], { cwd: this.dir, env });
      for (const change of changes) {
        if (change.contents === null) {
          await git(["update-index", "--force-remove", change.path], { cwd: this.dir, env });
          continue;
        }
        const blob = (
          await git(["hash-object", "-w", "--stdin"], { cwd: this.dir, input: change.contents })
        ).stdout.trim();
        await git(["update-index", "--add", "--cacheinfo", `100644,${blob},${change.path}`], { cwd: this.dir, env });
      }
      return (await git(["write-tree"], { cwd: this.dir, env })).stdout.trim();
    } finally {
      await rm(index, { force: true });
    }
  }

  async commitTree(tree: string, parents: string[], message: string): Promise<string> {
    const args = ["commit-tree", tree, ...parents.flatMap((p) => ["-p", p])];
    return (await git(args, { cwd: this.dir, input: message, env: COMMITTER })).stdout.trim();
  }

  async commitMessage(sha: string): Promise<string> {
    return (await git(["log", "-1", "--format=%B", sha], { cwd: this.dir })).stdout;
  }

  /** Compare-and-swap on a branch; `expected` null means the branch must not exist yet. */
  async updateBranch(branch: string, sha: string, expected: string | null): Promise<boolean> {
    const result = await git(["update-ref", `refs/heads/${branch}`, sha, expected ?? ""], {
      cwd: this.dir,
      allowFailure: true,
    });
    return result.exitCode === 0;
  }
}
