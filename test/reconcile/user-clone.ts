import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import path from "node:path";
import { git } from "../../src/util/git.js";

/**
 * A person working on one of okstra's stage branches with plain git: their
 * own clone of the repository that plays GitHub, their own name on the
 * commits, and a push — fast-forward or forced — like any contributor's.
 */

export const ALICE = { name: "Alice Example", email: "alice@example.com" };

const identity = {
  GIT_AUTHOR_NAME: ALICE.name,
  GIT_AUTHOR_EMAIL: ALICE.email,
  GIT_COMMITTER_NAME: ALICE.name,
  GIT_COMMITTER_EMAIL: ALICE.email,
};

export interface UserClone {
  dir: string;
  /** Runs git in the clone as Alice; returns stdout trimmed. */
  git(...args: string[]): Promise<string>;
  /** Writes a file and commits it on the checked-out branch; returns the new head. */
  commit(file: string, text: string, message: string): Promise<string>;
  /** Writes a file into the last commit (`git commit --amend`); returns the rewritten head. */
  amend(file: string, text: string): Promise<string>;
  head(): Promise<string>;
}

export async function cloneBranch(remoteDir: string, root: string, branch: string): Promise<UserClone> {
  await mkdir(root, { recursive: true });
  const dir = await mkdtemp(path.join(root, "alice-"));
  await git(["clone", "--quiet", "--branch", branch, remoteDir, dir], { cwd: root });
  const run = async (...args: string[]) => (await git(args, { cwd: dir, env: identity })).stdout.trim();
  return {
    dir,
    git: run,
    async commit(file, text, message) {
      await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
      await writeFile(path.join(dir, file), text);
      await run("add", file);
      await run("commit", "--quiet", "-m", message);
      return run("rev-parse", "HEAD");
    },
    async amend(file, text) {
      await writeFile(path.join(dir, file), text);
      await run("add", file);
      await run("commit", "--quiet", "--amend", "--no-edit");
      return run("rev-parse", "HEAD");
    },
    head: () => run("rev-parse", "HEAD"),
  };
}
