import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { copyFile, chmod, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PushRejectedError } from "../../src/workspace/errors.js";
import { openWorkspace, type Workspace } from "../../src/workspace/workspace.js";
import { createSandbox, gitIn, type Sandbox } from "../workspace/sandbox.js";

/**
 * A stage that adds a workflow, pushed to a remote that answers like GitHub
 * does for an App without `workflows: write` (a real git push; the remote's
 * `proc-receive` hook refuses the ref with GitHub's wording). The refusal
 * says which permission is missing, not a bare "push rejected".
 */

const HOOK = fileURLToPath(new URL("./hooks/refuse-workflows.mjs", import.meta.url));
const BRANCH = "okstra/3/s1";
let sandbox: Sandbox;
let workspace: Workspace;

beforeEach(async () => {
  sandbox = await createSandbox();
  const remoteDir = sandbox.remote.url;
  await gitIn(remoteDir, "config", "receive.procReceiveRefs", "refs/heads");
  await mkdir(join(remoteDir, "hooks"), { recursive: true });
  await copyFile(HOOK, join(remoteDir, "hooks", "proc-receive"));
  await chmod(join(remoteDir, "hooks", "proc-receive"), 0o755);
  workspace = await openWorkspace(sandbox.options());
  await workspace.checkoutNewBranch(BRANCH, "main");
});

afterEach(async () => {
  await workspace.dispose();
  await sandbox.remove();
});

async function commit(file: string): Promise<void> {
  await mkdir(join(workspace.dir, file, ".."), { recursive: true });
  await writeFile(join(workspace.dir, file), "on: push\n");
  await gitIn(workspace.dir, "add", file);
  await gitIn(workspace.dir, "commit", "--quiet", "-m", `add ${file}`);
}

describe("a push GitHub refuses for a missing App permission", () => {
  it("names the missing `workflows` permission and the file, and how to grant it", async () => {
    await commit(".github/workflows/ci.yml");
    const refused = await workspace.push(BRANCH, { expectedRemoteHead: null }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(PushRejectedError);
    expect(refused).toMatchObject({ reason: "missing-permission" });
    const message = (refused as Error).message;
    expect(message).toContain(
      "the okstra App lacks the `workflows` permission needed to change `.github/workflows/ci.yml`",
    );
    expect(message).toContain("Permissions → workflows: read and write");
    expect(await sandbox.remoteHead(BRANCH)).toBeNull();
  });

  it("still pushes a stage that touches no workflow through the same remote", async () => {
    await commit("src/c.ts");
    expect(await workspace.push(BRANCH, { expectedRemoteHead: null })).toMatchObject({ branch: BRANCH, updated: true });
  });
});
