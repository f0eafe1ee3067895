import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { mkdtemp, rm, symlink, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { linksLeavingClone } from "../../src/engine/implementation/stage-checks.js";
import { git } from "../../src/util/git.js";
import { dependencyKey } from "../../src/workspace/dependency-cache.js";

/**
 * A committed symlink that leaves the clone fails the stage (SPEC §14.4). It
 * is judged from the commits, because the validation commands that run before
 * the check are repository code with the clone writable: they could put a
 * regular file where the committed link is.
 */

let repo: string;
let base: string;
const commit = async (message: string) => {
  await git(["add", "-A"], { cwd: repo });
  await git(["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", message], { cwd: repo });
};

beforeAll(async () => {
  repo = await mkdtemp(path.join(tmpdir(), "okstra-links-"));
  await git(["init", "-q", repo], { cwd: tmpdir() });
  await writeFile(path.join(repo, "README.md"), "# sample\n");
  await commit("chore: init");
  base = (await git(["rev-parse", "HEAD"], { cwd: repo })).stdout.trim();
  await symlink("/proc/self/environ", path.join(repo, "NOTES.md"));
  await symlink("README.md", path.join(repo, "DOCS.md"));
  await symlink("../../okstra-cache", path.join(repo, "cache"));
  await commit("docs: notes");
});
afterAll(async () => rm(repo, { recursive: true, force: true }));

describe("committed links leaving the clone", () => {
  it("are found with their targets; a link inside the clone is fine", async () => {
    expect(await linksLeavingClone(repo, base)).toEqual([
      { path: "NOTES.md", target: "/proc/self/environ" },
      { path: "cache", target: "../../okstra-cache" },
    ]);
  });

  it("are still found when the working tree no longer shows them", async () => {
    await unlink(path.join(repo, "NOTES.md"));
    await writeFile(path.join(repo, "NOTES.md"), "just notes\n");
    expect((await linksLeavingClone(repo, base)).map((l) => l.path)).toContain("NOTES.md");
  });
});

describe("the dependency cache key", () => {
  it("follows no committed link: a lockfile linked to /dev/zero counts as no lockfile", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "okstra-lock-link-"));
    try {
      await writeFile(path.join(dir, "package.json"), '{ "name": "sample" }\n');
      const withoutLock = await dependencyKey(dir);
      await symlink("/dev/zero", path.join(dir, "package-lock.json"));
      expect(await dependencyKey(dir)).toBe(withoutLock);
      expect(withoutLock).toMatch(/^manifest-/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
