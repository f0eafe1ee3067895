import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { createLocalPlatform } from "../../../src/platform/local/index.js";
import type { Platform } from "../../../src/platform/types.js";
import { createTempRepo, type TempRepo } from "./fixture.js";

/** GitHub's compare statuses and tree equality, from git plumbing on the repository that plays GitHub. */

let repo: TempRepo;
let platform: Platform;
beforeEach(async () => {
  repo = await createTempRepo();
  platform = createLocalPlatform({ repoDir: repo.dir, actor: "owner" });
});
afterEach(async () => {
  await repo.remove();
});

describe("local platform: compareCommits", () => {
  it("a commit on top is ahead with new content, listing the commit and its author", async () => {
    const base = await repo.commit("topic", { "a.txt": "a\n" }, "feat: a");
    const head = await repo.commit("topic", { "b.txt": "b\n" }, "docs: b\n\nwith a body");
    expect(await platform.compareCommits(base, head)).toEqual({
      status: "ahead",
      sameTree: false,
      commits: [{ sha: head, author: "okstra", subject: "docs: b" }],
    });
  });

  it("an amended commit with the same files has diverged but has the same tree", async () => {
    const base = await repo.commit("topic", { "a.txt": "a\n" }, "feat: a");
    await repo.run("checkout", "-q", "topic");
    await repo.run("commit", "-q", "--amend", "-m", "feat: a, reworded");
    const head = await repo.run("rev-parse", "HEAD");
    expect(await platform.compareCommits(base, head)).toMatchObject({ status: "diverged", sameTree: true });
  });

  it("an ancestor is behind; a commit with itself is identical", async () => {
    const older = await repo.commit("topic", { "a.txt": "a\n" }, "feat: a");
    const newer = await repo.commit("topic", { "a.txt": "b\n" }, "feat: b");
    expect(await platform.compareCommits(newer, older)).toEqual({ status: "behind", sameTree: false, commits: [] });
    expect(await platform.compareCommits(newer, newer)).toEqual({ status: "identical", sameTree: true, commits: [] });
  });

  it("is null for a commit the repository does not have, as GitHub answers 404", async () => {
    const head = await repo.run("rev-parse", "HEAD");
    expect(await platform.compareCommits("f".repeat(40), head)).toBeNull();
  });
});
