import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { openWorkspace, type Workspace } from "../../src/workspace/workspace.js";
import { createSandbox, gitIn, type Sandbox } from "./sandbox.js";

let sandbox: Sandbox;
let workspace: Workspace;
let base: string;

beforeEach(async () => {
  sandbox = await createSandbox();
  workspace = await openWorkspace(sandbox.options());
  base = await workspace.checkoutNewBranch("okstra/4/s1", "main");
});

afterEach(async () => {
  await workspace.dispose();
  await sandbox.remove();
});

async function commitWithMessage(files: Record<string, string | null>, message: string): Promise<string> {
  for (const [path, content] of Object.entries(files)) {
    if (content === null) await rm(join(workspace.dir, path));
    else {
      await mkdir(join(workspace.dir, path, ".."), { recursive: true });
      await writeFile(join(workspace.dir, path), content);
    }
  }
  await gitIn(workspace.dir, "add", "--all");
  await gitIn(workspace.dir, "commit", "--quiet", "-m", message);
  return workspace.headCommit();
}

describe("workspace: what the commits since the base did", () => {
  it("lists the commits oldest first, with subject, full message and parents", async () => {
    const first = await commitWithMessage({ "x.txt": "x\n" }, "test(x): failing test\n\nBody line.\n\nOkstra-Task: #4");
    const second = await commitWithMessage({ "y.txt": "y\n" }, "feat(x): implement");
    const commits = await workspace.commitsSince(base);
    expect(commits.map((c) => c.sha)).toEqual([first, second]);
    expect(commits[0]).toEqual({
      sha: first,
      parents: [base],
      subject: "test(x): failing test",
      message: "test(x): failing test\n\nBody line.\n\nOkstra-Task: #4\n",
    });
    expect(commits[1]?.subject).toBe("feat(x): implement");
    expect(await workspace.commitsSince(second)).toEqual([]);
  });

  it("lists changed files with their status, including odd names", async () => {
    await commitWithMessage(
      { "src/a.ts": "export const a = 2;\n", "src/b.ts": null, "docs/new file.md": "n\n", "naïve\ttab.txt": "t\n" },
      "feat: changes",
    );
    const changed = await workspace.changedFiles(base);
    expect(changed.sort((l, r) => l.path.localeCompare(r.path))).toEqual(
      [
        { path: "docs/new file.md", status: "added" },
        { path: "naïve\ttab.txt", status: "added" },
        { path: "src/a.ts", status: "modified" },
        { path: "src/b.ts", status: "deleted" },
      ].sort((l, r) => l.path.localeCompare(r.path)),
    );
  });

  it("gives the added lines per file with their line numbers, not removed or header-like ones", async () => {
    await commitWithMessage(
      {
        "src/a.ts": "// TODO: later\nexport const a = 1;\n++ not a header\n",
        "src/b.ts": null,
        "docs/new file.md": "one\n+++ b/fake\ntwo",
      },
      "feat: scan",
    );
    const added = await workspace.addedLines(base);
    expect(added.sort((l, r) => l.path.localeCompare(r.path))).toEqual([
      {
        path: "docs/new file.md",
        lines: [
          { line: 1, text: "one" },
          { line: 2, text: "+++ b/fake" },
          { line: 3, text: "two" },
        ],
      },
      {
        path: "src/a.ts",
        lines: [
          { line: 1, text: "// TODO: later" },
          { line: 3, text: "++ not a header" },
        ],
      },
    ]);
  });

  it("names quoted paths as they are on disk", async () => {
    await commitWithMessage({ 'we"ird\\name.txt': "q\n", "tab\there.txt": "t\n" }, "feat: odd names");
    const added = await workspace.addedLines(base);
    expect(added.map((file) => file.path).sort()).toEqual(["tab\there.txt", 'we"ird\\name.txt']);
  });
});
