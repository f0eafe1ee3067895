/**
 * `setup:` with a warm dependency cache vs a cold one (SPEC §13: the warm
 * setup of a workspace ≥ 5× faster than the cold setup of the same
 * workspace), side by side, for npm (`npm ci`) and pnpm
 * (`pnpm install --frozen-lockfile`) on a real-shaped repository whose
 * dependencies are real packages from the registry npm is configured with.
 *
 *   node --import tsx bench/dependency-setup.ts [--reps 3] [--only npm|pnpm]
 *
 * Each repetition, per tool: a fresh, empty cache root; a fresh git
 * workspace (package.json + lockfile) set up through okstra's own `runSetup`
 * (cold: everything downloaded, setup run, its install stored as a snapshot),
 * then a second fresh workspace of the same repository against that cache
 * (warm: the snapshot restored). Cold and warm alternate within each
 * repetition; each warm workspace runs the installed `tsc` to show the copy
 * works. Also reported: "package cache only", the second workspace when no
 * snapshot exists (setup re-run against the warm package cache).
 * Prints medians and ratios. Needs the registry: it is not part of `npm test`.
 */
import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs, promisify } from "node:util";
import { runSetup } from "../src/engine/implementation/run-setup.js";
import { git } from "../src/util/git.js";
import { silentLogger as log } from "../src/util/log.js";

const exec = promisify(execFile);
const { values } = parseArgs({ options: { reps: { type: "string", default: "3" }, only: { type: "string" } } });
const reps = Number(values.reps);
// pnpm (self-contained) copied out of okstra's checkout, which the sandbox hides, and put on PATH as a
// repository's tool chain would be: the sandbox binds a `…/node_modules/.bin` PATH entry's node_modules.
const PNPM_HOME = await mkdtemp(join(tmpdir(), "okstra-bench-pnpm-"));
await cp(resolve("node_modules/pnpm"), join(PNPM_HOME, "node_modules", "pnpm"), { recursive: true });
await mkdir(join(PNPM_HOME, "node_modules", ".bin"));
await symlink("../pnpm/bin/pnpm.cjs", join(PNPM_HOME, "node_modules", ".bin", "pnpm"));
process.env.PATH = `${join(PNPM_HOME, "node_modules", ".bin")}:${process.env.PATH}`;
const PNPM_SCRIPT = join(PNPM_HOME, "node_modules", "pnpm", "bin", "pnpm.cjs");
const PNPM = "pnpm";

/** A small real-world tool chain: a test runner, a linter, a formatter, the compiler. */
const PACKAGE = {
  name: "bench-repo",
  version: "1.0.0",
  private: true,
  scripts: { test: "vitest run" },
  devDependencies: { eslint: "^9.0.0", prettier: "^3.0.0", vitest: "^3.0.0", typescript: "^5.0.0" },
};

interface Tool {
  name: string;
  lockfile: string;
  setup: string;
  lock(dir: string, env: NodeJS.ProcessEnv): Promise<unknown>;
}

const TOOLS: Tool[] = [
  {
    name: "npm",
    lockfile: "package-lock.json",
    setup: "npm ci --no-audit --no-fund",
    lock: (cwd, env) => exec("npm", ["install", "--package-lock-only", "--no-audit", "--no-fund"], { cwd, env }),
  },
  {
    name: "pnpm",
    lockfile: "pnpm-lock.yaml",
    setup: `${PNPM} install --frozen-lockfile`,
    lock: (cwd, env) => exec("node", [PNPM_SCRIPT, "install", "--lockfile-only"], { cwd, env }),
  },
];

/** The repository: package.json and the tool's lockfile, resolved once (untimed). */
async function makeTemplate(tool: Tool): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `okstra-bench-${tool.name}-template-`));
  await writeFile(join(dir, "package.json"), `${JSON.stringify(PACKAGE, null, 2)}\n`);
  await writeFile(join(dir, ".gitignore"), "node_modules/\n");
  const scratchCache = await mkdtemp(join(tmpdir(), "okstra-bench-lock-cache-"));
  await tool.lock(dir, {
    ...process.env,
    npm_config_cache: scratchCache,
    npm_config_store_dir: join(scratchCache, "store"),
    CI: "true",
  });
  await rm(scratchCache, { recursive: true, force: true });
  return dir;
}

async function workspaceFrom(template: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "okstra-bench-ws-"));
  await cp(template, dir, { recursive: true });
  await git(["init", "-q"], { cwd: dir });
  await git(["add", "-A"], { cwd: dir });
  await git(["-c", "user.name=bench", "-c", "user.email=bench@example.invalid", "commit", "-qm", "init"], { cwd: dir });
  return dir;
}

async function timedSetup(tool: Tool, template: string, cacheRoot: string, expectRestored: boolean): Promise<number> {
  const dir = await workspaceFrom(template);
  const home = await mkdtemp(join(tmpdir(), "okstra-bench-home-"));
  try {
    const trustedCommit = (await git(["rev-parse", "HEAD"], { cwd: dir })).stdout.trim();
    const started = performance.now();
    const results = await runSetup({
      commands: [tool.setup],
      repoKey: "bench/repo",
      cwd: dir,
      home,
      timeoutMs: 600_000,
      log,
      cacheRoot,
      trustedCommit,
    });
    const ms = performance.now() - started;
    const failed = results.find((r) => r.exitCode !== 0);
    if (failed)
      throw new Error(`${tool.name} setup failed (exit ${failed.exitCode}):\n${failed.outputTail.slice(-2000)}`);
    const restored = results[0]!.outputTail.includes("restored from the setup snapshot");
    if (restored !== expectRestored)
      throw new Error(`${tool.name}: expected ${expectRestored ? "a restored" : "a fresh"} setup`);
    // The installed tool chain works from the copy (links, modes and all).
    if (restored) await exec(join(dir, "node_modules/.bin/tsc"), ["--version"], { cwd: dir });
    return ms;
  } finally {
    await rm(dir, { recursive: true, force: true });
    await rm(home, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

console.log(
  `repository: ${Object.keys(PACKAGE.devDependencies).join(", ")} (dev dependencies, with their trees); ${reps} repetitions per tool`,
);
console.log("| tool | setup | cold median | warm median (snapshot) | cold / warm | package cache only |");
console.log("|---|---|---|---|---|---|");
for (const tool of TOOLS.filter((t) => !values.only || t.name === values.only)) {
  const template = await makeTemplate(tool);
  const cold: number[] = [];
  const warm: number[] = [];
  const cacheOnly: number[] = [];
  for (let i = 0; i < reps; i++) {
    const cacheRoot = await mkdtemp(join(tmpdir(), "okstra-bench-cache-"));
    try {
      cold.push(await timedSetup(tool, template, cacheRoot, false));
      warm.push(await timedSetup(tool, template, cacheRoot, true));
      // Without the snapshot, the second workspace re-runs setup on the warm package cache (the former "warm").
      await rm(join(cacheRoot, "setup-snapshots"), { recursive: true, force: true });
      cacheOnly.push(await timedSetup(tool, template, cacheRoot, false));
    } finally {
      await rm(cacheRoot, { recursive: true, force: true });
    }
  }
  await rm(template, { recursive: true, force: true });
  const [c, w, p] = [median(cold), median(warm), median(cacheOnly)];
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  console.log(
    `| ${tool.name} | \`${tool.setup}\` | ${s(c)} | ${s(w)} | ${(c / w).toFixed(1)}× | ${s(p)} (${(c / p).toFixed(1)}×) |`,
  );
}
await rm(PNPM_HOME, { recursive: true, force: true });
