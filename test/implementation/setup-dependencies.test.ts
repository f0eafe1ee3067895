import { afterEach, describe, expect, it } from "@jest/globals";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { git } from "../../src/util/git.js";
import { configureRecordedWorkers, createLocalRepo, type LocalRepo } from "../helpers/local-repo.js";
import { startLocalNpmRegistry, type LocalNpmRegistry } from "../helpers/local-npm-registry.js";

/**
 * `setup:` on real-shaped JavaScript repositories (SPEC §3): npm without a
 * lockfile and pnpm with one, installing real tarballs from a registry on
 * loopback (the tests run offline). The sample repository gains a runtime
 * dependency its own test imports, so validation passes only if setup
 * installed it into the stage's workspace.
 */

const PNPM = path.resolve("node_modules/.bin/pnpm");
const exec = promisify(execFile);

let repo: LocalRepo;
let registry: LocalNpmRegistry;
afterEach(async () => {
  await repo?.dispose();
  await registry?.close();
});

const rows = async () =>
  (await repo.ledgerFile("tasks/1/ledger.jsonl"))
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
const treeOf = async (ref: string) =>
  (await git(["ls-tree", "-r", "--name-only", ref], { cwd: repo.dir })).stdout.split("\n").filter(Boolean);
const show = async (spec: string) => (await git(["show", spec], { cwd: repo.dir })).stdout;

async function startRegistry() {
  registry = await startLocalNpmRegistry([
    {
      name: "tiny-pad",
      version: "1.2.0",
      files: { "index.js": "module.exports = (s, n) => String(s).padStart(n, ' ');\n" },
    },
    {
      name: "tiny-table",
      version: "2.0.1",
      dependencies: { "tiny-pad": "^1.0.0" },
      files: {
        "index.js":
          "const pad = require('tiny-pad');\nmodule.exports = (cells) => cells.map((c) => pad(c, 4)).join('|');\n",
      },
    },
  ]);
}

/** Adds the dependency, a test that imports it, and an `.npmrc` pointing at the loopback registry. */
async function addDependency(extraNpmrc: string) {
  const pkg = JSON.parse(await show("HEAD:package.json"));
  pkg.dependencies = { "tiny-table": "^2.0.0" };
  await repo.commitFile("package.json", `${JSON.stringify(pkg, null, 2)}\n`);
  await repo.commitFile(".npmrc", `registry=${registry.url}/\n${extraNpmrc}`);
  await repo.commitFile(
    "test/table.test.js",
    'import { test } from "node:test";\nimport assert from "node:assert/strict";\nimport table from "tiny-table";\n\ntest("renders a padded row", () => assert.equal(table(["a", "bc"]), "   a|  bc"));\n',
  );
}

async function approve(setup: string[]) {
  await configureRecordedWorkers(repo, "", [
    ...(setup.length ? ["setup:", ...setup.map((c) => `  - ${JSON.stringify(c)}`)] : []),
    "verification: { autoVerify: false }",
  ]);
  expect((await repo.run("/okstra plan")).code).toBe(0);
  expect((await repo.run("/okstra approve")).code).toBe(0);
}

describe("setup: installs dependencies in every workspace, with a per-repository cache", () => {
  it("npm without a lockfile: installs, validation passes, nothing from setup is committed, the second workspace reads the cache", async () => {
    repo = await createLocalRepo();
    await startRegistry();
    await addDependency("package-lock=false\n");
    // The second command rewrites a tracked file, as installs sometimes do: it must not reach the stage's commits.
    await approve(["npm install --no-audit --no-fund", "npm pkg set description=rewritten-by-setup"]);

    expect((await repo.run("/okstra implement --stage 1")).code).toBe(0);
    expect((await rows()).find((r) => r.status === "done" && r.stage === 1)).toBeDefined();
    expect(registry.tarballRequests.sort()).toEqual(["tiny-pad-1.2.0", "tiny-table-2.0.1"]);
    const tree = await treeOf("okstra/1/s1");
    expect(tree.some((f) => f.startsWith("node_modules/"))).toBe(false);
    expect(tree).not.toContain("package-lock.json");
    expect(JSON.parse(await show("okstra/1/s1:package.json")).description).not.toBe("rewritten-by-setup");
    // `npm test` (the stage's validation.post) ran with the installed dependency: its test is in the carry's tail.
    const carry = JSON.parse(await repo.ledgerFile("tasks/1/carry/stage-1.json"));
    expect(carry.validation).toEqual([
      expect.objectContaining({
        phase: "post",
        command: "npm test",
        exitCode: 0,
        outputTail: expect.stringContaining("renders a padded row"),
      }),
    ]);

    // A second workspace (another run) installs from the repository's cache: no tarball is downloaded again.
    expect((await repo.run("/okstra implement --stage 2")).code).toBe(0);
    expect((await rows()).find((r) => r.status === "done" && r.stage === 2)).toBeDefined();
    expect(registry.tarballRequests).toHaveLength(2);
  });

  it("pnpm with a lockfile: `pnpm install --frozen-lockfile` installs into the workspace from the repository's store", async () => {
    repo = await createLocalRepo();
    await startRegistry();
    await addDependency("");
    // The lockfile, made by pnpm itself against the same registry.
    const scratch = await mkdtemp(path.join(tmpdir(), "okstra-pnpm-lock-"));
    try {
      await writeFile(path.join(scratch, "package.json"), await show("HEAD:package.json"));
      await writeFile(path.join(scratch, ".npmrc"), `registry=${registry.url}/\n`);
      await exec(PNPM, ["install", "--lockfile-only", "--store-dir", path.join(scratch, "store")], {
        cwd: scratch,
        env: { ...process.env, CI: "true" },
      });
      await repo.commitFile(
        "pnpm-lock.yaml",
        await (await import("node:fs/promises")).readFile(path.join(scratch, "pnpm-lock.yaml"), "utf8"),
      );
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
    const before = registry.tarballRequests.length;
    await approve([`${PNPM} install --frozen-lockfile`]);

    expect((await repo.run("/okstra implement --stage 1")).code).toBe(0);
    expect((await rows()).find((r) => r.status === "done" && r.stage === 1)).toBeDefined();
    expect(registry.tarballRequests.length - before).toBe(2);
    const tree = await treeOf("okstra/1/s1");
    expect(tree.some((f) => f.startsWith("node_modules/"))).toBe(false);
    // The store lives in okstra's cache, keyed by the repository and its lockfile.
    const deps = path.join(process.env.OKSTRA_CACHE_DIR!, "dependencies");
    const [repoDir] = await readdir(deps);
    const [key] = await readdir(path.join(deps, repoDir!));
    expect(key).toMatch(/^lock-[0-9a-f]{16}$/);
    expect((await readdir(path.join(deps, repoDir!, key!, "pnpm-store"))).length).toBeGreaterThan(0);

    expect((await repo.run("/okstra implement --stage 2")).code).toBe(0);
    expect(registry.tarballRequests.length - before).toBe(2);
  });

  it("without setup, a validation that cannot find a module says which `setup:` to add", async () => {
    repo = await createLocalRepo();
    await startRegistry();
    await addDependency("package-lock=false\n");
    await approve([]);
    expect((await repo.run("/okstra implement --stage 1")).code).toBe(1);
    const failed = (await rows()).find((r) => r.status === "failed" && r.stage === 1);
    expect(failed.reason).toBe("validation-failed");
    expect(failed.detail).toContain("Cannot find package 'tiny-table'");
    expect(failed.detail).toContain("setup:\n      - npm install --no-package-lock");
  });
});
