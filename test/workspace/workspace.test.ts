import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { MergeConflictError, UnknownRevisionError } from "../../src/workspace/errors.js";
import { mirrorPath } from "../../src/workspace/mirror-cache.js";
import { openWorkspace, withWorkspace, type Workspace } from "../../src/workspace/workspace.js";
import { createSandbox, exists, FAKE_SECRET, filesContaining, gitIn, type Sandbox } from "./sandbox.js";

let sandbox: Sandbox;
const open: Workspace[] = [];

beforeEach(async () => {
  sandbox = await createSandbox();
});

afterEach(async () => {
  for (const workspace of open.splice(0)) await workspace.dispose();
  await sandbox.remove();
});

async function openTracked(overrides: Parameters<Sandbox["options"]>[0] = {}): Promise<Workspace> {
  const workspace = await openWorkspace(sandbox.options(overrides));
  open.push(workspace);
  return workspace;
}

describe("workspace: credentials", () => {
  it("writes the token nowhere: not in the clone, its config or alternates, nor in the mirror", async () => {
    const workspace = await openTracked();
    await workspace.checkoutNewBranch("okstra/1/s1", "main");
    await writeFile(join(workspace.dir, "new.txt"), "x\n");
    await gitIn(workspace.dir, "add", "new.txt");
    await gitIn(workspace.dir, "commit", "--quiet", "-m", "feat: new");
    await workspace.push("okstra/1/s1", { expectedRemoteHead: null });

    const config = await readFile(join(workspace.dir, ".git", "config"), "utf8");
    expect(config).toContain(`url = ${sandbox.remoteDir}`);
    expect(config.toLowerCase()).not.toContain("extraheader");
    expect(config).not.toContain(FAKE_SECRET);
    const alternates = await readFile(join(workspace.dir, ".git", "objects", "info", "alternates"), "utf8");
    expect(alternates.trim()).toBe(join(mirrorPath(sandbox.remoteDir, sandbox.cacheDir), "objects"));
    expect(await filesContaining(workspace.root, FAKE_SECRET)).toEqual([]);
    expect(await filesContaining(workspace.root, "AUTHORIZATION")).toEqual([]);
    expect(await filesContaining(sandbox.cacheDir, FAKE_SECRET)).toEqual([]);
    expect(await filesContaining(sandbox.cacheDir, "AUTHORIZATION")).toEqual([]);
  });

  it("refuses a remote URL that carries a token, before creating anything", async () => {
    const options = sandbox.options({ remote: { url: "https://x-access-token:ghs_secret@github.com/o/r.git" } });
    await expect(openWorkspace(options)).rejects.toMatchObject({ name: "CredentialInUrlError" });
    expect(await exists(sandbox.workspaceRoot)).toBe(false);
    expect(await exists(sandbox.cacheDir)).toBe(false);
  });
});

describe("workspace: bases and branches", () => {
  it("checks out the base branch's remote head, detached", async () => {
    const head = await sandbox.commit("main", { "src/a.ts": "export const a = 10;\n" }, "feat: a");
    const workspace = await openTracked();
    expect(await workspace.headCommit()).toBe(head);
    expect(await readFile(join(workspace.dir, "src", "a.ts"), "utf8")).toBe("export const a = 10;\n");
    expect(await gitIn(workspace.dir, "remote", "get-url", "origin")).toBe(sandbox.remoteDir);
  });

  it("opens at a base commit and branches from it", async () => {
    await sandbox.commit("main", { "src/a.ts": "later\n" }, "feat: later");
    const workspace = await openTracked({ baseCommit: sandbox.initial, baseBranch: undefined });
    expect(await workspace.headCommit()).toBe(sandbox.initial);
    expect(await workspace.checkoutNewBranch("okstra/7/s1", sandbox.initial)).toBe(sandbox.initial);
    expect(await gitIn(workspace.dir, "symbolic-ref", "HEAD")).toBe("refs/heads/okstra/7/s1");
    expect(await readFile(join(workspace.dir, "src", "a.ts"), "utf8")).toBe("export const a = 1;\n");
  });

  it("fetches a base commit that no branch holds any more", async () => {
    const orphan = await sandbox.commit("gone", { "gone.txt": "g\n" }, "feat: gone", sandbox.initial);
    await gitIn(sandbox.remoteDir, "update-ref", "-d", "refs/heads/gone");
    const workspace = await openTracked({ baseCommit: orphan, baseBranch: undefined });
    expect(await workspace.headCommit()).toBe(orphan);
    expect(await readFile(join(workspace.dir, "gone.txt"), "utf8")).toBe("g\n");
  });

  it("refuses an unknown base and removes the run directory", async () => {
    await expect(openTracked({ baseBranch: "no-such-branch" })).rejects.toBeInstanceOf(UnknownRevisionError);
    expect(await readdir(sandbox.workspaceRoot)).toEqual([]);
  });
});

describe("workspace: merging dependency heads", () => {
  it("merges two dependency heads into the stage branch", async () => {
    const s1 = await sandbox.commit(
      "okstra/1/s1",
      { "src/a.ts": "export const a = 11;\n" },
      "feat: s1",
      sandbox.initial,
    );
    const s2 = await sandbox.commit(
      "okstra/1/s2",
      { "src/c.ts": "export const c = 3;\n" },
      "feat: s2",
      sandbox.initial,
    );
    const workspace = await openTracked();
    await workspace.checkoutNewBranch("okstra/1/s3", s1);
    const head = await workspace.mergeInto("okstra/1/s3", [s1, { ref: "okstra/1/s2", message: "merge: stage 2" }]);

    expect(await gitIn(workspace.dir, "rev-parse", "HEAD^1", "HEAD^2")).toBe(`${s1}\n${s2}`);
    expect(await gitIn(workspace.dir, "log", "-1", "--format=%s", head)).toBe("merge: stage 2");
    expect(await readFile(join(workspace.dir, "src", "a.ts"), "utf8")).toBe("export const a = 11;\n");
    expect(await readFile(join(workspace.dir, "src", "c.ts"), "utf8")).toBe("export const c = 3;\n");
  });

  it("reports a conflict with its paths and leaves the branch where it was, clean", async () => {
    const s1 = await sandbox.commit(
      "okstra/1/s1",
      { "src/a.ts": "one\n", "src/b.ts": "one\n" },
      "feat: s1",
      sandbox.initial,
    );
    const s2 = await sandbox.commit("okstra/1/s2", { "src/c.ts": "c\n" }, "feat: s2", sandbox.initial);
    const s3 = await sandbox.commit(
      "okstra/1/s3",
      { "src/a.ts": "three\n", "src/b.ts": "three\n" },
      "feat: s3",
      sandbox.initial,
    );
    const workspace = await openTracked();
    await workspace.checkoutNewBranch("okstra/1/s4", s1);

    const failure = await workspace.mergeInto("okstra/1/s4", [s2, s3]).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(MergeConflictError);
    expect(failure).toMatchObject({ branch: "okstra/1/s4", head: s3, paths: ["src/a.ts", "src/b.ts"] });
    expect(await workspace.headCommit()).toBe(s1); // the clean merge of s2 was undone too
    expect(await gitIn(workspace.dir, "status", "--porcelain")).toBe("");
    expect(await exists(join(workspace.dir, ".git", "MERGE_HEAD"))).toBe(false);
  });
});

describe("workspace: lifetime", () => {
  it("withWorkspace removes the run directory when the function throws", async () => {
    let root = "";
    await expect(
      withWorkspace(sandbox.options(), async (workspace) => {
        root = workspace.root;
        expect(await exists(join(workspace.dir, "README.md"))).toBe(true);
        throw new Error("worker failed");
      }),
    ).rejects.toThrow("worker failed");
    expect(root).not.toBe("");
    expect(await exists(root)).toBe(false);
  });

  it("withWorkspace removes the run directory after success and returns the result", async () => {
    let root = "";
    const head = await withWorkspace(sandbox.options(), async (workspace) => {
      root = workspace.root;
      return workspace.headCommit();
    });
    expect(head).toBe(sandbox.initial);
    expect(await exists(root)).toBe(false);
  });

  it("an open aborted before it finishes leaves no run directory", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(openWorkspace(sandbox.options({ signal: controller.signal }))).rejects.toMatchObject({
      name: "AbortError",
    });
    expect(await readdir(sandbox.workspaceRoot)).toEqual([]);
  });

  it("two workspaces opened at once on one mirror both work, apart", async () => {
    const [one, two] = await Promise.all([openTracked({ runId: "run-a" }), openTracked({ runId: "run-b" })]);
    expect(one.root).not.toBe(two.root);
    for (const [workspace, name] of [
      [one, "a"],
      [two, "b"],
    ] as const) {
      await workspace.checkoutNewBranch(`okstra/2/s-${name}`, "main");
      await writeFile(join(workspace.dir, `${name}.txt`), `${name}\n`);
      await gitIn(workspace.dir, "add", ".");
      await gitIn(workspace.dir, "commit", "--quiet", "-m", `feat: ${name}`);
    }
    await Promise.all([
      one.push("okstra/2/s-a", { expectedRemoteHead: null }),
      two.push("okstra/2/s-b", { expectedRemoteHead: null }),
    ]);
    expect(await sandbox.remoteHead("okstra/2/s-a")).toBe(await one.headCommit());
    expect(await sandbox.remoteHead("okstra/2/s-b")).toBe(await two.headCommit());
    expect(await exists(join(one.dir, "b.txt"))).toBe(false);
  });
});
