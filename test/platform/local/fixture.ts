import { mkdtemp, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { git } from "../../../src/util/git.js";

export interface TempRepo {
  dir: string;
  /** Commits `files` on `branch` (created from the current HEAD when new) and returns to the branch HEAD was on. */
  commit(branch: string, files: Record<string, string>, message?: string): Promise<string>;
  run(...args: string[]): Promise<string>;
  remove(): Promise<void>;
}

/** A real repository in a temp dir: `git init -b main` and one commit with a README. */
export async function createTempRepo(): Promise<TempRepo> {
  const dir = await mkdtemp(join(tmpdir(), "okstra-local-"));
  const run = async (...args: string[]) => (await git(args, { cwd: dir })).stdout.trim();
  await run("init", "-q", "-b", "main");
  const repo: TempRepo = {
    dir,
    run,
    async commit(branch, files, message = "change") {
      const current = await run("symbolic-ref", "--short", "HEAD");
      const exists =
        (await git(["rev-parse", "--verify", "--quiet", `refs/heads/${branch}`], { cwd: dir, allowFailure: true }))
          .exitCode === 0;
      if (branch !== current) await run("checkout", "-q", ...(exists ? [branch] : ["-b", branch]));
      for (const [path, content] of Object.entries(files)) {
        await mkdir(dirname(join(dir, path)), { recursive: true });
        await writeFile(join(dir, path), content);
        await run("add", "--", path);
      }
      await run("commit", "-q", "-m", message);
      const sha = await run("rev-parse", "HEAD");
      if (branch !== current) await run("checkout", "-q", current);
      return sha;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
  await repo.commit("main", { "README.md": "# sample\n" }, "initial");
  return repo;
}
