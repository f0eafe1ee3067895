import { cp, mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { git } from "../util/git.js";

/** `fixtures/` of the package, found the same way from `src/cli` (tests) and `dist/cli` (built). */
export const FIXTURES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../fixtures");

/**
 * Builds the bundled sample project (fixtures/sample-repo, a small library
 * with its own tests) as a real git repository with one commit on `main`.
 */
export async function createSampleRepository(targetDir: string): Promise<string> {
  await mkdir(targetDir, { recursive: true });
  await cp(path.join(FIXTURES_DIR, "sample-repo"), targetDir, { recursive: true });
  await git(["init", "-q", "-b", "main"], { cwd: targetDir });
  await git(["add", "-A"], { cwd: targetDir });
  await git(["commit", "-q", "-m", "chore: initial inventory library"], {
    cwd: targetDir,
    env: { GIT_AUTHOR_DATE: "2026-01-01T00:00:00Z", GIT_COMMITTER_DATE: "2026-01-01T00:00:00Z" },
  });
  return targetDir;
}

export async function sampleIssueText(): Promise<string> {
  return readFile(path.join(FIXTURES_DIR, "sample-issue.md"), "utf8");
}
