import { afterEach, describe, expect, it } from "@jest/globals";
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { runSetup } from "../../src/engine/implementation/run-setup.js";
import { restoreSnapshot, storeSnapshot } from "../../src/workspace/setup-snapshot.js";
import { git } from "../../src/util/git.js";
import { silentLogger as log } from "../../src/util/log.js";

/**
 * Setup snapshots against a hostile worker (SPEC §14): the install a later
 * workspace restores is a copy, so a worker that rewrites its own
 * `node_modules` changes nothing for the next one; and a tree whose
 * `package.json` an earlier stage's worker shaped installs fresh and stores
 * nothing, so it cannot plant what later workspaces restore.
 */

// The "install": what it writes depends on package.json, as a real install (and its scripts) would.
const WRITE_MODULE =
  'const p=require("./package.json");' +
  'require("fs").writeFileSync("node_modules/dep/index.js", "module.exports = " + JSON.stringify(p.marker) + ";\\n")';
const SETUP =
  `mkdir -p node_modules/dep node_modules/.bin && node -e '${WRITE_MODULE}'` +
  " && ln -sf ../dep/index.js node_modules/.bin/dep";

const TRUSTED = { "package.json": '{ "name": "app", "marker": "trusted" }\n', "package-lock.json": "{}\n" };

let root: string;
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function commit(dir: string, files: Record<string, string>, message: string): Promise<string> {
  for (const [name, content] of Object.entries(files)) await writeFile(path.join(dir, name), content);
  await git(["add", "-A"], { cwd: dir });
  await git(["-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", message], { cwd: dir });
  return (await git(["rev-parse", "HEAD"], { cwd: dir })).stdout.trim();
}

let workspaces = 0;
async function setupAt(origin: string, commitSha: string, trustedCommit: string, commands = [SETUP]) {
  const cwd = path.join(root, `ws-${++workspaces}`);
  await git(["clone", "-q", origin, cwd], { cwd: root });
  await git(["checkout", "-q", "--detach", commitSha], { cwd });
  const home = await mkdtemp(path.join(root, "home-"));
  const cacheRoot = path.join(root, "cache");
  const input = { repoKey: "acme/app", cwd, home, timeoutMs: 60_000, log, cacheRoot, trustedCommit };
  const results = await runSetup({ commands, ...input });
  expect(results.map((r) => r.exitCode)).toEqual([0]);
  return {
    cwd,
    restored: results[0]!.outputTail.includes("restored from the setup snapshot"),
    module: () => readFile(path.join(cwd, "node_modules/dep/index.js"), "utf8"),
    read: (file: string) => readFile(path.join(cwd, file), "utf8"),
  };
}

const snapshots = async () => {
  const repoDirs = await readdir(path.join(root, "cache", "setup-snapshots")).catch(() => []);
  if (repoDirs.length === 0) return [];
  const stored = await readdir(path.join(root, "cache", "setup-snapshots", repoDirs[0]!));
  return stored.filter((n) => !n.startsWith(".tmp"));
};

describe("setup snapshots", () => {
  it("a worker tampering with its restored node_modules does not change the next workspace's copy", async () => {
    root = await mkdtemp(path.join(tmpdir(), "okstra-snapshot-"));
    const origin = path.join(root, "origin");
    await git(["init", "-q", origin], { cwd: root });
    const base = await commit(origin, { ...TRUSTED, ".gitignore": "node_modules/\n" }, "base");

    const first = await setupAt(origin, base, base);
    expect(first.restored).toBe(false);
    expect(await first.module()).toContain('"trusted"');
    expect(await snapshots()).toHaveLength(1);

    // The next workspace gets a copy without running setup; its worker then rewrites it in place, every way it can.
    const second = await setupAt(origin, base, base);
    expect(second.restored).toBe(true);
    const file = path.join(second.cwd, "node_modules/dep/index.js");
    await writeFile(file, "module.exports = 'poisoned';\n");
    await chmod(file, 0o777);
    await writeFile(path.join(second.cwd, "node_modules/.bin/dep"), "poisoned through the link\n");
    await rm(path.join(second.cwd, "node_modules/.bin"), { recursive: true });

    const third = await setupAt(origin, base, base);
    expect(third.restored).toBe(true);
    expect(await third.module()).toBe('module.exports = "trusted";\n');
    expect(await readFile(path.join(third.cwd, "node_modules/.bin/dep"), "utf8")).toBe('module.exports = "trusted";\n');
    // Setup's output stays out of the stage's commits, restored or not.
    expect((await git(["status", "--porcelain"], { cwd: third.cwd })).stdout).toBe("");
  });

  it("a tree whose package.json an earlier worker shaped installs fresh and stores nothing", async () => {
    root = await mkdtemp(path.join(tmpdir(), "okstra-snapshot-"));
    const origin = path.join(root, "origin");
    await git(["init", "-q", origin], { cwd: root });
    const base = await commit(origin, TRUSTED, "base");
    const shapedPackage = '{ "name": "app", "marker": "worker-shaped" }\n';
    const shaped = await commit(origin, { "package.json": shapedPackage }, "stage 1 by a worker");

    const fromShaped = await setupAt(origin, shaped, base);
    expect(fromShaped.restored).toBe(false);
    expect(await fromShaped.module()).toContain("worker-shaped");
    expect(await snapshots()).toHaveLength(0);
    // Again: still nothing stored, so it installs again — and the trusted tree never gets the shaped install.
    expect((await setupAt(origin, shaped, base)).restored).toBe(false);
    const fromBase = await setupAt(origin, base, base);
    expect(fromBase.restored).toBe(false);
    expect(await fromBase.module()).toContain('"trusted"');
    expect(await snapshots()).toHaveLength(1);
  });
});

describe("a tree with the base's key files but other sources", () => {
  it("a worker-shaped install script runs fresh and stores nothing", async () => {
    root = await mkdtemp(path.join(tmpdir(), "okstra-snapshot-"));
    const origin = path.join(root, "origin");
    await git(["init", "-q", origin], { cwd: root });
    // The install runs a script the key does not cover, as a `postinstall` would.
    const install = ["mkdir -p node_modules/dep && cp build.js node_modules/dep/index.js"];
    const base = await commit(origin, { ...TRUSTED, "build.js": "trusted\n" }, "base");
    const shaped = await commit(origin, { "build.js": "worker-shaped\n" }, "stage 1 by a worker");

    const fromShaped = await setupAt(origin, shaped, base, install);
    expect(await fromShaped.read("node_modules/dep/index.js")).toBe("worker-shaped\n");
    expect(await snapshots()).toHaveLength(0);
    const fromBase = await setupAt(origin, base, base, install);
    expect(fromBase.restored).toBe(false);
    expect(await fromBase.read("node_modules/dep/index.js")).toBe("trusted\n");
    expect(await snapshots()).toHaveLength(1);

    // With the base's install stored, the shaped tree (same manifests and lockfile) still installs its own:
    // a snapshot is restored only into the tree that made it.
    const shapedAgain = await setupAt(origin, shaped, base, install);
    expect(shapedAgain.restored).toBe(false);
    expect(await shapedAgain.read("node_modules/dep/index.js")).toBe("worker-shaped\n");
    expect((await setupAt(origin, base, base, install)).restored).toBe(true);
  });

  it("a setup that commits leaves nothing in the checkout's history", async () => {
    root = await mkdtemp(path.join(tmpdir(), "okstra-snapshot-"));
    const origin = path.join(root, "origin");
    await git(["init", "-q", origin], { cwd: root });
    const base = await commit(origin, TRUSTED, "base");
    const committing = [
      `${SETUP} && git -c user.name=s -c user.email=s@example.invalid commit -q --allow-empty -m planted`,
    ];
    const ws = await setupAt(origin, base, base, committing);
    expect((await git(["rev-parse", "HEAD"], { cwd: ws.cwd })).stdout.trim()).toBe(base);
    expect((await git(["status", "--porcelain"], { cwd: ws.cwd })).stdout).toBe("");
  });
});

describe("a restore into a tree that already holds an entry", () => {
  it("does not write through a link a worker committed where a snapshot entry goes", async () => {
    root = await mkdtemp(path.join(tmpdir(), "okstra-snapshot-"));
    const [stored, target, snapshots] = ["stored", "target", "snapshots"].map((d) => path.join(root, d));
    await mkdir(stored, { recursive: true });
    await mkdir(target, { recursive: true });
    await writeFile(path.join(stored, ".pnp.cjs"), "snapshot content\n");
    await storeSnapshot(snapshots, "k", stored, [".pnp.cjs"]);
    const victim = path.join(root, "host-file");
    await writeFile(victim, "host content\n");
    await symlink(victim, path.join(target, ".pnp.cjs"));

    expect(await restoreSnapshot(snapshots, "k", target)).toBe(false);
    expect(await readFile(victim, "utf8")).toBe("host content\n");
    // The same snapshot restores into a tree without the link.
    await rm(path.join(target, ".pnp.cjs"));
    expect(await restoreSnapshot(snapshots, "k", target)).toBe(true);
    expect(await readFile(path.join(target, ".pnp.cjs"), "utf8")).toBe("snapshot content\n");
  });
});
