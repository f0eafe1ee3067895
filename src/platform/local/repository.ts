import { LocalPlatformError } from "./errors.js";
import { git, isAncestor } from "../../util/git.js";
import type { CommitComparison } from "../types.js";

/** Git reads on the local repository DIR, which plays the remote (SPEC §11.1). */

/** DIR's `HEAD` symbolic ref is its default branch, as a bare remote's HEAD is on a git server. */
export async function localDefaultBranch(repoDir: string): Promise<string> {
  const { stdout } = await git(["symbolic-ref", "--short", "HEAD"], { cwd: repoDir });
  return stdout.trim();
}

/**
 * A file's text at a ref, from the object database only: the working tree and
 * index of DIR never leak in, just as GitHub serves only what was pushed.
 * A missing ref, a missing path and a directory are all null.
 */
export async function localReadFile(repoDir: string, path: string, ref: string): Promise<string | null> {
  if (ref.startsWith("-")) return null; // never let a ref be read as an option
  const spec = `${ref}:${path.replace(/^(\.?\/)+/, "")}`;
  const type = await git(["cat-file", "-t", spec], { cwd: repoDir, allowFailure: true });
  if (type.exitCode !== 0 || type.stdout.trim() !== "blob") return null;
  const { stdout } = await git(["cat-file", "blob", spec], { cwd: repoDir });
  return stdout;
}

export async function localBranchHead(repoDir: string, branch: string): Promise<string | null> {
  const result = await git(["rev-parse", "--verify", "--quiet", `refs/heads/${branch}^{commit}`], {
    cwd: repoDir,
    allowFailure: true,
  });
  return result.exitCode === 0 ? result.stdout.trim() : null;
}

/** Creates `refs/heads/<branch>` only if it does not exist (the all-zero old value), as GitHub's `POST git/refs`. */
export async function localCreateBranch(repoDir: string, branch: string, commit: string): Promise<void> {
  const created = await git(["update-ref", `refs/heads/${branch}`, commit, "0".repeat(40)], {
    cwd: repoDir,
    allowFailure: true,
  });
  if (created.exitCode !== 0)
    throw new LocalPlatformError(422, `branch ${branch} already exists or ${commit} is not a commit`);
}

export async function localCommitExists(repoDir: string, sha: string): Promise<boolean> {
  const result = await git(["cat-file", "-e", `${sha}^{commit}`], { cwd: repoDir, allowFailure: true });
  return result.exitCode === 0;
}

/** How many commits `head` has that `base` does not (GitHub refuses a pull request with none). */
export async function localCommitsAhead(repoDir: string, base: string, head: string): Promise<number> {
  const { stdout } = await git(["rev-list", "--count", `refs/heads/${base}..refs/heads/${head}`], { cwd: repoDir });
  return Number(stdout.trim());
}

/** Whether every commit of branch `head` is already on branch `base` (false when either is missing). */
export async function localBranchMergedInto(repoDir: string, head: string, base: string): Promise<boolean> {
  const [headSha, baseSha] = await Promise.all([localBranchHead(repoDir, head), localBranchHead(repoDir, base)]);
  if (headSha === null || baseSha === null) return false;
  const result = await git(["merge-base", "--is-ancestor", headSha, baseSha], { cwd: repoDir, allowFailure: true });
  return result.exitCode === 0;
}

const MAX_LISTED_COMMITS = 250; // as many as GitHub's compare lists

/**
 * GitHub's compare, in git plumbing: the ancestry both ways, the two trees,
 * and the commits head has that base lacks (oldest first). Null when either
 * commit is not in DIR, as GitHub answers 404.
 */
export async function localCompareCommits(
  repoDir: string,
  base: string,
  head: string,
): Promise<CommitComparison | null> {
  if (!(await localCommitExists(repoDir, base)) || !(await localCommitExists(repoDir, head))) return null;
  const trees = await git(["rev-parse", `${base}^{tree}`, `${head}^{tree}`], { cwd: repoDir });
  const [baseTree, headTree] = trees.stdout.trim().split("\n");
  const [baseInHead, headInBase] = await Promise.all([
    isAncestor(repoDir, base, head),
    isAncestor(repoDir, head, base),
  ]);
  const status = baseInHead && headInBase ? "identical" : baseInHead ? "ahead" : headInBase ? "behind" : "diverged";
  const log = await git(["log", "--reverse", "--format=%H%x00%an%x00%s", `${base}..${head}`], { cwd: repoDir });
  const commits = log.stdout
    .split("\n")
    .filter(Boolean)
    .slice(0, MAX_LISTED_COMMITS)
    .map((line) => {
      const [sha, author, subject] = line.split("\0");
      return { sha: sha!, author: author!, subject: subject ?? "" };
    });
  return { status, sameTree: baseTree === headTree, commits };
}
