import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { chmod, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PushRejectedError } from "../../src/workspace/errors.js";
import { openWorkspace, type Workspace } from "../../src/workspace/workspace.js";
import { createSandbox, exists, FAKE_SECRET, gitIn, type Sandbox } from "./sandbox.js";

let sandbox: Sandbox;
let workspace: Workspace;
const BRANCH = "okstra/3/s1";

beforeEach(async () => {
  sandbox = await createSandbox();
  workspace = await openWorkspace(sandbox.options());
  await workspace.checkoutNewBranch(BRANCH, "main");
});

afterEach(async () => {
  await workspace.dispose();
  await sandbox.remove();
});

async function commitInWorkspace(file: string, content: string, message: string): Promise<string> {
  await writeFile(join(workspace.dir, file), content);
  await gitIn(workspace.dir, "add", file);
  await gitIn(workspace.dir, "commit", "--quiet", "-m", message);
  return workspace.headCommit();
}

describe("workspace: push", () => {
  it("pushes a new branch, then a fast-forward of it", async () => {
    const first = await commitInWorkspace("one.txt", "1\n", "feat: one");
    expect(await workspace.push(BRANCH, { expectedRemoteHead: null })).toEqual({
      branch: BRANCH,
      commit: first,
      updated: true,
    });
    expect(await sandbox.remoteHead(BRANCH)).toBe(first);

    const second = await commitInWorkspace("two.txt", "2\n", "feat: two");
    expect(await workspace.push(BRANCH, { expectedRemoteHead: first })).toMatchObject({
      commit: second,
      updated: true,
    });
    expect(await sandbox.remoteHead(BRANCH)).toBe(second);
    expect(await workspace.push(BRANCH, { expectedRemoteHead: second })).toMatchObject({
      commit: second,
      updated: false,
    });
  });

  it("refuses to overwrite a foreign commit on the remote branch, which stays", async () => {
    const ours = await commitInWorkspace("one.txt", "1\n", "feat: one");
    await workspace.push(BRANCH, { expectedRemoteHead: null });
    const foreign = await sandbox.commit(BRANCH, { "theirs.txt": "theirs\n" }, "fix: a reviewer's change");
    await commitInWorkspace("two.txt", "2\n", "feat: two");

    const failure = await workspace.push(BRANCH, { expectedRemoteHead: ours }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(PushRejectedError);
    expect(failure).toMatchObject({
      branch: BRANCH,
      reason: "stale-lease",
      expectedRemoteHead: ours,
      actualRemoteHead: foreign,
    });
    expect(await sandbox.remoteHead(BRANCH)).toBe(foreign);
  });

  it("pushes branches together or not at all, naming the one whose lease failed", async () => {
    const BASE = "okstra/3/s1-base";
    const first = await commitInWorkspace("one.txt", "1\n", "feat: one");
    await workspace.checkoutNewBranch(BASE, first);
    await workspace.push(BRANCH, { expectedRemoteHead: null, alongside: [{ branch: BASE, expectedRemoteHead: null }] });
    expect([await sandbox.remoteHead(BRANCH), await sandbox.remoteHead(BASE)]).toEqual([first, first]);

    // Both move on locally; meanwhile someone pushes to the base branch.
    await workspace.checkoutNewBranch(BRANCH, first);
    const second = await commitInWorkspace("two.txt", "2\n", "feat: two");
    await workspace.checkoutNewBranch(BASE, second);
    const foreign = await sandbox.commit(BASE, { "theirs.txt": "theirs\n" }, "fix: a reviewer's change");
    const failure = await workspace
      .push(BRANCH, { expectedRemoteHead: first, alongside: [{ branch: BASE, expectedRemoteHead: first }] })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(PushRejectedError);
    expect(failure).toMatchObject({ branch: BASE, reason: "stale-lease", actualRemoteHead: foreign });
    // The branch whose own lease held did not move either.
    expect([await sandbox.remoteHead(BRANCH), await sandbox.remoteHead(BASE)]).toEqual([first, foreign]);
  });

  it("refuses to create a branch that someone else created meanwhile", async () => {
    await commitInWorkspace("one.txt", "1\n", "feat: one");
    const foreign = await sandbox.commit(BRANCH, { "theirs.txt": "t\n" }, "feat: theirs", sandbox.initial);

    const failure = await workspace.push(BRANCH, { expectedRemoteHead: null }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: "PushRejectedError", reason: "stale-lease", actualRemoteHead: foreign });
    expect(await sandbox.remoteHead(BRANCH)).toBe(foreign);
  });

  it("refuses, without pushing, a branch that no longer contains the expected remote head", async () => {
    const first = await commitInWorkspace("one.txt", "1\n", "feat: one");
    await workspace.push(BRANCH, { expectedRemoteHead: null });
    await gitIn(workspace.dir, "reset", "--quiet", "--hard", sandbox.initial);
    await commitInWorkspace("other.txt", "o\n", "feat: rewritten");

    await expect(workspace.push(BRANCH, { expectedRemoteHead: first })).rejects.toMatchObject({
      name: "PushRejectedError",
      reason: "not-fast-forward",
    });
    expect(await sandbox.remoteHead(BRANCH)).toBe(first);
  });

  it("ignores what a worker configured in the clone: its hooks never see the token, a rewritten origin is not used", async () => {
    const head = await commitInWorkspace("one.txt", "1\n", "feat: one");
    const hooks = join(workspace.root, "planted-hooks");
    const prePushRan = join(workspace.root, "pre-push-ran");
    const hookEnvironments = join(workspace.root, "hook-environments");
    await mkdir(hooks);
    await writeFile(join(hooks, "pre-push"), `#!/bin/sh\ntouch "${prePushRan}"\n`);
    for (const hook of ["reference-transaction", "post-update", "push-to-checkout"])
      await writeFile(join(hooks, hook), `#!/bin/sh\nenv >> "${hookEnvironments}"\n`);
    for (const hook of await readdir(hooks)) await chmod(join(hooks, hook), 0o755);
    await gitIn(workspace.dir, "config", "core.hooksPath", hooks); // what husky's install does
    await gitIn(workspace.dir, "remote", "set-url", "origin", join(sandbox.base, "elsewhere.git"));

    await workspace.push(BRANCH, { expectedRemoteHead: null });
    expect(await sandbox.remoteHead(BRANCH)).toBe(head);
    expect(await exists(prePushRan)).toBe(false);
    const environments = (await exists(hookEnvironments)) ? await readFile(hookEnvironments, "utf8") : "";
    expect(environments).not.toContain(FAKE_SECRET);
    expect(environments.toLowerCase()).not.toContain("extraheader");
  });
});
