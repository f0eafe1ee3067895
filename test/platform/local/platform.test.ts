import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  addLocalComment,
  createLocalIssue,
  createLocalPlatform,
  listLocalCheckRuns,
  listLocalPulls,
  readLocalComments,
} from "../../../src/platform/local/index.js";
import type { CheckAnnotation, Platform } from "../../../src/platform/types.js";
import { createTempRepo, type TempRepo } from "./fixture.js";

let repo: TempRepo;
let platform: Platform;

const store = (...parts: string[]) => join(repo.dir, ".okstra-local", ...parts);
const readStored = async (...parts: string[]) =>
  JSON.parse(await readFile(store(...parts), "utf8")) as Record<string, unknown>;
const ISO = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

beforeEach(async () => {
  repo = await createTempRepo();
  platform = createLocalPlatform({ repoDir: repo.dir, actor: "alice" });
  await createLocalIssue(repo.dir, { number: 12, title: "Export CSV", body: "Please add an export.", author: "alice" });
});

afterEach(async () => {
  await repo.remove();
});

describe("local platform: the store", () => {
  it("keeps .okstra-local/ out of git through .git/info/exclude, once", async () => {
    await platform.createComment(12, "a");
    await createLocalIssue(repo.dir, { number: 12, title: "Export CSV", body: "again", author: "alice" });
    const exclude = await readFile(join(repo.dir, ".git", "info", "exclude"), "utf8");
    expect(exclude.split("\n").filter((line) => line === ".okstra-local/")).toHaveLength(1);
    expect(await repo.run("status", "--porcelain", "--untracked-files=all")).toBe("");
  });

  it("adds no second exclude line when the repository already lists .okstra-local/", async () => {
    const other = await createTempRepo();
    try {
      await writeFile(join(other.dir, ".git", "info", "exclude"), "*.log\n.okstra-local/\n");
      await createLocalIssue(other.dir, { number: 1, title: "t", body: "", author: "alice" });
      expect(await readFile(join(other.dir, ".git", "info", "exclude"), "utf8")).toBe("*.log\n.okstra-local/\n");
    } finally {
      await other.remove();
    }
  });

  it("names the repository after its directory and owner after the actor, and clones from DIR without a header", async () => {
    expect(platform.kind).toBe("local");
    expect(platform.repo.owner).toBe("alice");
    expect(await platform.gitRemote()).toEqual({ url: repo.dir });
  });
});

describe("local platform: issues and comments", () => {
  it("writes the issue file in the documented format and reads it back", async () => {
    expect(await readStored("issues", "12.json")).toEqual({
      number: 12,
      title: "Export CSV",
      body: "Please add an export.",
      author: "alice",
    });
    expect(await platform.getIssue(12)).toEqual({
      number: 12,
      title: "Export CSV",
      body: "Please add an export.",
      author: "alice",
      isPullRequest: false,
    });
    await expect(platform.getIssue(99)).rejects.toMatchObject({ name: "LocalPlatformError", status: 404 });
  });

  it("stores the user's command and okstra's reply as comment files, oldest first", async () => {
    const command = await addLocalComment(repo.dir, 12, { author: "alice", body: "/okstra plan" });
    const reply = await platform.createComment(12, "Planning…");
    expect(await readStored("issues", "12", "comments", `${command.id}.json`)).toEqual({
      id: command.id,
      author: "alice",
      body: "/okstra plan",
      createdAt: ISO,
      updatedAt: ISO,
      reactions: [],
      issue: 12,
    });
    expect(reply).toMatchObject({
      author: "okstra[bot]",
      body: "Planning…",
      url: expect.stringMatching(/^file:\/\/.*\/issues\/12\/comments\/\d+\.json$/),
    });
    const listed = await platform.listIssueComments(12);
    expect(listed.map((c) => [c.author, c.body])).toEqual([
      ["alice", "/okstra plan"],
      ["okstra[bot]", "Planning…"],
    ]);
    expect(reply.id).toBeGreaterThan(command.id);
  });

  it("edits a comment in place and moves updatedAt", async () => {
    const comment = await platform.createComment(12, "⏳ planning");
    await new Promise((done) => setTimeout(done, 5));
    await platform.updateComment(comment.id, "✓ planned");
    const [stored] = await readLocalComments(repo.dir, 12);
    expect(stored.body).toBe("✓ planned");
    expect(stored.createdAt).toBe(comment.createdAt);
    expect(stored.updatedAt > stored.createdAt).toBe(true);
    await expect(platform.updateComment(424242, "x")).rejects.toMatchObject({ status: 404 });
  });

  it("records a reaction once per user and content", async () => {
    const command = await addLocalComment(repo.dir, 12, { author: "alice", body: "/okstra plan" });
    await platform.addReaction(command.id, "eyes");
    await platform.addReaction(command.id, "eyes");
    await platform.addReaction(command.id, "rocket");
    const stored = await readStored("issues", "12", "comments", `${command.id}.json`);
    expect(stored.reactions).toEqual([
      { content: "eyes", user: "okstra[bot]", createdAt: ISO },
      { content: "rocket", user: "okstra[bot]", createdAt: ISO },
    ]);
  });

  it("refuses a comment on a number that is neither an issue nor a pull request", async () => {
    await expect(platform.createComment(77, "x")).rejects.toMatchObject({ status: 404 });
    await expect(addLocalComment(repo.dir, 77, { author: "alice", body: "/okstra plan" })).rejects.toMatchObject({
      status: 404,
    });
  });
});

describe("local platform: permissions", () => {
  it("treats every login as admin while there is no permissions.json", async () => {
    expect(await platform.getPermission("alice")).toBe("admin");
    expect(await platform.getPermission("anyone")).toBe("admin");
  });

  it("reads the levels of permissions.json, logins case-insensitive, unlisted logins admin", async () => {
    await platform.createComment(12, "create the store");
    await writeFile(store("permissions.json"), JSON.stringify({ reader: "read", Bob: "write", tri: "triage" }));
    expect(await platform.getPermission("reader")).toBe("read");
    expect(await platform.getPermission("bob")).toBe("write");
    expect(await platform.getPermission("tri")).toBe("triage");
    expect(await platform.getPermission("alice")).toBe("admin");
  });

  it("refuses a level it does not know rather than guessing", async () => {
    await platform.createComment(12, "create the store");
    await writeFile(store("permissions.json"), JSON.stringify({ mallory: "owner" }));
    await expect(platform.getPermission("mallory")).rejects.toThrow(/unknown permission "owner"/);
  });
});

describe("local platform: git reads", () => {
  it("takes the default branch from DIR's HEAD", async () => {
    expect(await platform.getDefaultBranch()).toBe("main");
    await repo.run("symbolic-ref", "HEAD", "refs/heads/trunk");
    expect(await platform.getDefaultBranch()).toBe("trunk");
  });

  it("reads a file only from the ref asked, never from the working tree", async () => {
    await repo.commit("main", { ".github/okstra.yml": "minimumPermission: write\n" });
    await repo.commit("feature", { ".github/okstra.yml": "minimumPermission: read\n", "only-on-feature.txt": "f\n" });
    await writeFile(join(repo.dir, ".github", "okstra.yml"), "minimumPermission: none\n");
    await writeFile(join(repo.dir, "untracked.txt"), "u\n");

    expect(await platform.readFile(".github/okstra.yml", "main")).toBe("minimumPermission: write\n");
    expect(await platform.readFile(".github/okstra.yml", "feature")).toBe("minimumPermission: read\n");
    expect(await platform.readFile("only-on-feature.txt", "main")).toBeNull();
    expect(await platform.readFile("only-on-feature.txt", "feature")).toBe("f\n");
    expect(await platform.readFile("untracked.txt", "main")).toBeNull();
    expect(await platform.readFile(".github", "main")).toBeNull();
    expect(await platform.readFile("README.md", "no-such-branch")).toBeNull();
    expect(await platform.readFile("README.md", "--output=/tmp/x")).toBeNull();
  });

  it("gives a branch's head commit, or null for a missing branch", async () => {
    const sha = await repo.commit("okstra/12/s1", { "a.txt": "a\n" });
    expect(await platform.getBranchHead("okstra/12/s1")).toBe(sha);
    expect(await platform.getBranchHead("main")).toBe(await repo.run("rev-parse", "main"));
    expect(await platform.getBranchHead("okstra/12/s2")).toBeNull();
  });
});

describe("local platform: pull requests", () => {
  beforeEach(async () => {
    await repo.commit("okstra/12/s1", { "a.txt": "a\n" });
    await repo.commit("okstra/12/s2", { "b.txt": "b\n" });
  });

  it("numbers a pull request after the issues, writes the documented file and finds it by head", async () => {
    const pr = await platform.createPullRequest({
      title: "Stage 1: A (#12)",
      body: "body",
      head: "okstra/12/s1",
      base: "main",
      draft: true,
    });
    expect(pr.number).toBe(13);
    expect(await readStored("pulls", "13.json")).toEqual({
      number: 13,
      title: "Stage 1: A (#12)",
      body: "body",
      head: "okstra/12/s1",
      base: "main",
      draft: true,
      state: "open",
      merged: false,
      author: "okstra[bot]",
      createdAt: ISO,
      updatedAt: ISO,
    });
    expect(pr.url).toMatch(/^file:\/\/.*\/\.okstra-local\/pulls\/13\.json$/);
    expect(await platform.findOpenPullRequest("okstra/12/s1")).toEqual(pr);
    expect(await platform.findOpenPullRequest("okstra/12/s2")).toBeNull();
    expect(await platform.getIssue(13)).toMatchObject({ number: 13, isPullRequest: true });
    expect(await platform.createComment(13, "on the PR")).toMatchObject({ body: "on the PR" });
    await expect(
      createLocalIssue(repo.dir, { number: 13, title: "clash", body: "", author: "alice" }),
    ).rejects.toMatchObject({ status: 422 });
  });

  it("updates, retargets, closes and toggles draft", async () => {
    const one = await platform.createPullRequest({
      title: "S1",
      body: "b1",
      head: "okstra/12/s1",
      base: "main",
      draft: true,
    });
    const two = await platform.createPullRequest({
      title: "S2",
      body: "b2",
      head: "okstra/12/s2",
      base: "okstra/12/s1",
      draft: true,
    });
    expect((await platform.listOpenPullRequests({ base: "okstra/12/s1" })).map((p) => p.number)).toEqual([two.number]);

    await platform.updatePullRequest(two.number, { base: "main", body: "new" });
    await platform.setDraft(two.number, false);
    expect(await platform.getPullRequest(two.number)).toMatchObject({
      base: "main",
      body: "new",
      title: "S2",
      draft: false,
    });
    expect((await platform.listOpenPullRequests({})).map((p) => p.number)).toEqual([one.number, two.number]);

    await platform.updatePullRequest(one.number, { state: "closed" });
    expect((await platform.listOpenPullRequests({ base: "main" })).map((p) => p.number)).toEqual([two.number]);
    expect(await platform.findOpenPullRequest("okstra/12/s1")).toBeNull();
    expect((await listLocalPulls(repo.dir)).map((p) => [p.number, p.state])).toEqual([
      [one.number, "closed"],
      [two.number, "open"],
    ]);
    await expect(platform.updatePullRequest(two.number, { base: "gone" })).rejects.toMatchObject({ status: 422 });
    await expect(platform.getPullRequest(999)).rejects.toMatchObject({ status: 404 });
  });

  it("shows a pull request as merged once its base contains the head's commits, as GitHub does", async () => {
    const one = await platform.createPullRequest({
      title: "S1",
      body: "",
      head: "okstra/12/s1",
      base: "main",
      draft: false,
    });
    expect((await platform.getPullRequest(one.number)).merged).toBe(false);
    await repo.run("merge", "-q", "--no-ff", "-m", "merge: stage 1", "okstra/12/s1");
    expect(await platform.getPullRequest(one.number)).toMatchObject({ state: "closed", merged: true });
    expect(await platform.findOpenPullRequest("okstra/12/s1")).toBeNull();
    expect(await readStored("pulls", `${one.number}.json`)).toMatchObject({ state: "closed", merged: true });
  });

  it("refuses what GitHub refuses: a missing branch, a duplicate and a head with no new commits", async () => {
    await platform.createPullRequest({ title: "S1", body: "", head: "okstra/12/s1", base: "main", draft: false });
    await expect(
      platform.createPullRequest({ title: "again", body: "", head: "okstra/12/s1", base: "main", draft: false }),
    ).rejects.toMatchObject({ status: 422 });
    await expect(
      platform.createPullRequest({ title: "x", body: "", head: "okstra/12/s9", base: "main", draft: false }),
    ).rejects.toMatchObject({ status: 422 });
    await repo.run("branch", "okstra/12/s3", "main");
    await expect(
      platform.createPullRequest({ title: "x", body: "", head: "okstra/12/s3", base: "main", draft: false }),
    ).rejects.toThrow(/no commits/);
    expect(await listLocalPulls(repo.dir)).toHaveLength(1);
  });
});

describe("local platform: check runs", () => {
  it("writes the documented check-run file, completes it on a conclusion and appends annotations", async () => {
    const sha = await repo.run("rev-parse", "HEAD");
    const run = await platform.createCheckRun({
      name: "okstra / stage 1",
      headSha: sha,
      status: "in_progress",
      externalId: "12/1/r1",
      output: { title: "Verifying", summary: "…" },
    });
    expect(run).toMatchObject({
      id: 1,
      name: "okstra / stage 1",
      headSha: sha,
      status: "in_progress",
      conclusion: null,
      url: expect.stringMatching(/check-runs\/1\.json$/),
    });
    expect(await readStored("check-runs", "1.json")).toMatchObject({
      id: 1,
      name: "okstra / stage 1",
      headSha: sha,
      status: "in_progress",
      conclusion: null,
      externalId: "12/1/r1",
      output: { title: "Verifying", summary: "…", annotations: [] },
    });

    const annotations: CheckAnnotation[] = Array.from({ length: 60 }, (_, i) => ({
      path: "a.ts",
      start_line: i + 1,
      end_line: i + 1,
      annotation_level: "warning",
      message: `m${i}`,
    }));
    await platform.updateCheckRun(run.id, {
      conclusion: "failure",
      output: { title: "Blocked", summary: "60 findings", annotations: annotations.slice(0, 10) },
    });
    await platform.updateCheckRun(run.id, {
      output: { title: "Blocked", summary: "60 findings", annotations: annotations.slice(10) },
    });
    const [stored] = await listLocalCheckRuns(repo.dir);
    expect(stored).toMatchObject({
      status: "completed",
      conclusion: "failure",
      completedAt: ISO,
      output: { title: "Blocked", summary: "60 findings" },
    });
    expect(stored.output.annotations).toEqual(annotations);
  });

  it("refuses a head sha that is not a commit of DIR", async () => {
    await expect(platform.createCheckRun({ name: "x", headSha: "f".repeat(40) })).rejects.toMatchObject({
      status: 422,
    });
    expect(await readdir(store("check-runs")).catch(() => [])).toEqual([]);
  });
});
