import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { execFile } from "node:child_process";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { MIRROR_MARKER, mirrorPath, refreshMirror } from "../../src/workspace/mirror-cache.js";
import { openWorkspace } from "../../src/workspace/workspace.js";
import { createSandbox, exists, FAKE_SECRET, filesContaining, gitIn, MIRROR_CHILD, type Sandbox } from "./sandbox.js";
import { TSX } from "../helpers/tsx.js";

const run = promisify(execFile);

let sandbox: Sandbox;

beforeEach(async () => {
  sandbox = await createSandbox();
});

afterEach(async () => {
  await sandbox.remove();
});

describe("mirror cache", () => {
  it("creates the mirror once, re-uses it, and fetches before every use", async () => {
    const path = mirrorPath(sandbox.remoteDir, sandbox.cacheDir);
    const first = await openWorkspace(sandbox.options({ runId: "first" }));
    const inode = (await stat(path)).ino;
    const marker = await readFile(join(path, MIRROR_MARKER), "utf8");
    await first.dispose();

    const later = await sandbox.commit("main", { "later.txt": "later\n" }, "feat: after the first run");
    const second = await openWorkspace(sandbox.options({ runId: "second" }));
    try {
      expect((await stat(path)).ino).toBe(inode);
      expect(await readFile(join(path, MIRROR_MARKER), "utf8")).toBe(marker);
      expect(await second.headCommit()).toBe(later);
      expect(await readFile(join(second.dir, "later.txt"), "utf8")).toBe("later\n");
      expect(await gitIn(path, "rev-parse", "refs/heads/main")).toBe(later);
    } finally {
      await second.dispose();
    }
  });

  it("keeps no remote, URL credential or header in the mirror's config, and prunes deleted branches", async () => {
    await sandbox.commit("feature", { "f.txt": "f\n" }, "feat: f");
    const mirror = await refreshMirror(sandbox.remote, { cacheDir: sandbox.cacheDir });
    expect(await gitIn(mirror.path, "for-each-ref", "--format=%(refname)")).toBe("refs/heads/feature\nrefs/heads/main");
    const config = await readFile(join(mirror.path, "config"), "utf8");
    expect(config).not.toContain("[remote");
    expect(config.toLowerCase()).not.toContain("extraheader");
    expect(await filesContaining(sandbox.cacheDir, FAKE_SECRET)).toEqual([]);

    await gitIn(sandbox.remoteDir, "update-ref", "-d", "refs/heads/feature");
    const again = await refreshMirror(sandbox.remote, { cacheDir: sandbox.cacheDir });
    expect(again.created).toBe(false);
    expect(await gitIn(mirror.path, "for-each-ref", "--format=%(refname)")).toBe("refs/heads/main");
  });

  it("survives runs in this process and in three other processes creating and fetching it at once", async () => {
    const startAt = Date.now() + 4000; // after the children have started up
    const children = Array.from({ length: 3 }, () =>
      run(TSX, [MIRROR_CHILD, "refresh", sandbox.remoteDir, sandbox.cacheDir, String(startAt)]).then(
        ({ stdout }) => JSON.parse(stdout) as { created: boolean; path: string },
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, startAt - Date.now()));
    const here = Array.from({ length: 3 }, () => refreshMirror(sandbox.remote, { cacheDir: sandbox.cacheDir }));
    const outcomes = await Promise.all([...children, ...here]);

    expect(outcomes.filter((outcome) => outcome.created)).toHaveLength(1);
    const path = mirrorPath(sandbox.remoteDir, sandbox.cacheDir);
    expect(new Set(outcomes.map((outcome) => outcome.path))).toEqual(new Set([path]));
    await gitIn(path, "fsck", "--no-progress");
    expect(await gitIn(path, "rev-parse", "refs/heads/main")).toBe(sandbox.initial);
    expect(await exists(`${path}.lock`)).toBe(false);
  }, 60_000);
});
