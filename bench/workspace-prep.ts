/**
 * Workspace preparation with a warm mirror vs a fresh full clone (SPEC §13:
 * at least 10× faster), side by side in one run on one large repository.
 *
 *   node --import tsx bench/workspace-prep.ts [--commits 50000] [--files 5000] [--reps 5]
 *                                             [--scratch DIR]... [--no-docs]
 *
 * 1. Build (or re-use) the synthetic repository: the "remote".
 * 2. Warm the mirror with one untimed workspace.
 * 3. For each scratch directory (where both the fresh clone and the workspace
 *    are written; default: the OS temp dir), each repetition: push one new
 *    commit to the remote, then time
 *    (a) `git clone --no-local` — a real pack transfer, as over the network,
 *        then checkout; and
 *    (b) `openWorkspace` — mirror fetch (picking up the new commit), borrowed
 *        clone, checkout.
 *    Their order alternates between repetitions, and each starts after a
 *    `sync`, so neither pays for the other's writeback.
 * 4. Print medians and ratios; write them with the machine into docs/workspace.md.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { parseArgs, promisify } from "node:util";
import { git } from "../src/util/git.js";
import { createLogger } from "../src/util/log.js";
import { defaultCacheDir } from "../src/workspace/mirror-cache.js";
import { openWorkspace, type OpenWorkspaceOptions } from "../src/workspace/workspace.js";
import { addCommit, ensureSyntheticRepo, type SyntheticRepoSize } from "./workspace-synthetic-repo.js";

interface Timed<T> {
  /** Wall-clock time. */
  ms: number;
  /** CPU time of this process and of the git processes it ran (user + system). */
  cpuMs: number;
  value: T;
}

interface Repetition {
  clone: Timed<unknown>;
  prepare: Timed<unknown>;
  fetchMs: number;
}

interface Measured {
  scratch: string;
  runs: Repetition[];
}

const execFileAsync = promisify(execFile);
const DOCS = new URL("../docs/workspace.md", import.meta.url);
const START_MARK = "<!-- bench:workspace-prep:start -->";
const END_MARK = "<!-- bench:workspace-prep:end -->";
/** Clock ticks per second for /proc/self/stat, read once. */
let ticksPerSecond: number | undefined;

const { values } = parseArgs({
  options: {
    commits: { type: "string", default: "50000" },
    files: { type: "string", default: "5000" },
    reps: { type: "string", default: "5" },
    scratch: { type: "string", multiple: true },
    "no-docs": { type: "boolean", default: false },
  },
});
const size: SyntheticRepoSize = { commits: Number(values.commits), files: Number(values.files) };
const reps = Number(values.reps);
const scratchRoots = values.scratch?.length ? values.scratch : [tmpdir()];

const cacheDir = defaultCacheDir();
const repo = await ensureSyntheticRepo(cacheDir, size);
const objects = await countObjects(repo.path);
console.log(
  `remote: ${repo.path} (${repo.built ? `built in ${seconds(repo.buildMs)}` : "cached"}; ${objects.count} objects, ${objects.packMiB} MiB packed)`,
);

const fetchTimes: number[] = [];
const baseOptions = {
  remote: { url: repo.path },
  baseBranch: "main",
  log: createLogger({ level: "info", destination: collectFetchTimes(fetchTimes) }),
  cacheDir: join(cacheDir, "bench", "mirror-cache"),
};

const warmStart = Date.now();
await (
  await openWorkspace({ ...baseOptions, runId: "warm-up", workspaceRoot: join(tmpdir(), "okstra-bench-warm-up") })
).dispose();
console.log(`mirror warm-up: ${seconds(Date.now() - warmStart)}`);

const results: Measured[] = [];
for (const root of scratchRoots) results.push({ scratch: root, runs: await measureIn(root) });

const report = await renderReport(results);
console.log(`\n${report}`);
if (!values["no-docs"]) {
  await writeDocs(report);
  console.log(`\nwritten to ${DOCS.pathname}`);
}

async function measureIn(root: string): Promise<Repetition[]> {
  const scratch = await mkdtemp(join(root, "okstra-bench-"));
  const options: Omit<OpenWorkspaceOptions, "runId"> = { ...baseOptions, workspaceRoot: join(scratch, "runs") };
  const runs: Repetition[] = [];
  try {
    for (let rep = 0; rep < reps; rep++) {
      await addCommit(repo.path, `bench-${Date.now()}-${rep}`);
      const freshDir = join(scratch, `fresh-${rep}`);
      const timeClone = async () => {
        await execFileAsync("sync");
        return timed(() =>
          git(["clone", "--no-local", "--quiet", repo.path, freshDir], { cwd: scratch, timeoutMs: 30 * 60_000 }),
        );
      };
      const timePrepare = async () => {
        await execFileAsync("sync");
        return timed(() => openWorkspace({ ...options, runId: `rep-${rep}` } as OpenWorkspaceOptions));
      };
      const [clone, prepare] =
        rep % 2 === 0 ? [await timeClone(), await timePrepare()] : reversed(await timePrepare(), await timeClone());
      await prepare.value.dispose();
      await rm(freshDir, { recursive: true, force: true });
      runs.push({ clone, prepare, fetchMs: fetchTimes.at(-1) ?? NaN });
      console.log(
        `${root} rep ${rep + 1}/${reps}: fresh clone ${seconds(clone.ms)} (CPU ${seconds(clone.cpuMs)}), ` +
          `warm workspace ${seconds(prepare.ms)} (CPU ${seconds(prepare.cpuMs)}; fetch ${seconds(runs.at(-1)!.fetchMs)})`,
      );
    }
    return runs;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function timed<T>(fn: () => Promise<T>): Promise<Timed<T>> {
  const cpuBefore = await cpuTimeMs();
  const started = process.hrtime.bigint();
  const value = await fn();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  return { ms, cpuMs: (await cpuTimeMs()) - cpuBefore, value };
}

/**
 * On a shared machine wall-clock time swings with everybody else's load, CPU
 * time much less, so both are reported. Children's CPU time comes from
 * /proc/self/stat (cutime + cstime: every git process, and what it ran, once
 * reaped); this process's own from `process.cpuUsage()`.
 */
async function cpuTimeMs(): Promise<number> {
  ticksPerSecond ??= Number((await execFileAsync("getconf", ["CLK_TCK"])).stdout.trim()) || 100;
  const stat = await readFile("/proc/self/stat", "utf8").catch(() => "");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // fields from the 3rd (state) on
  const childTicks = Number(fields[13] ?? 0) + Number(fields[14] ?? 0);
  const own = process.cpuUsage();
  return (childTicks / ticksPerSecond) * 1000 + (own.user + own.system) / 1000;
}

/** The mirror logs its fetch duration; the breakdown is read from there rather than timed twice. */
function collectFetchTimes(into: number[]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split("\n").filter(Boolean)) {
        const entry = JSON.parse(line) as { msg?: string; durationMs?: number };
        if (entry.msg === "mirror fetched" && typeof entry.durationMs === "number") into.push(entry.durationMs);
      }
      done();
    },
  });
}

async function countObjects(path: string): Promise<{ count: number; packMiB: number }> {
  const output = (await git(["count-objects", "-v"], { cwd: path })).stdout;
  const field = (name: string) => Number(new RegExp(`^${name}: (\\d+)$`, "m").exec(output)?.[1] ?? 0);
  return { count: field("count") + field("in-pack"), packMiB: Math.round(field("size-pack") / 1024) };
}

async function renderReport(measured: Measured[]): Promise<string> {
  const gitVersion = (await git(["--version"], { cwd: tmpdir() })).stdout.trim();
  const fileSystems = await Promise.all(measured.map((entry) => fileSystemOf(entry.scratch)));
  const load = loadavg()
    .map((value) => value.toFixed(1))
    .join(" / ");
  const scratchFlags = measured.map((entry) => ` --scratch ${entry.scratch}`).join("");
  return [
    `Measured ${new Date().toISOString().slice(0, 10)} by \`node --import tsx bench/workspace-prep.ts --commits ${size.commits} --files ${size.files} --reps ${reps}${scratchFlags}\`.`,
    "",
    `- Repository: ${size.commits.toLocaleString("en")} commits, ${size.files.toLocaleString("en")} files growing to about ${Math.round(size.files * 1.2).toLocaleString("en")} (2% of commits add one), ${objects.count.toLocaleString("en")} objects, ${objects.packMiB} MiB packed, repacked with bitmaps as a hosting service keeps it.`,
    `- Machine: ${availableParallelism()} CPUs (\`nproc\`), ${(totalmem() / 2 ** 30).toFixed(1)} GiB memory, ${cpus()[0]?.model ?? "unknown CPU"}; ${gitVersion}, Node ${process.version}; load average at the end ${load} (1 / 5 / 15 min), shared with other work.`,
    "",
    "| written to | step | median wall | median CPU | wall, each run |",
    "|---|---|---:|---:|---|",
    ...measured.flatMap((entry, i) => tableRows(entry, fileSystems[i]!)),
    "",
    ...measured.map((entry, i) => verdict(entry, fileSystems[i]!)),
  ].join("\n");
}

function tableRows(entry: Measured, fileSystem: string): string[] {
  const where = `\`${entry.scratch}\` (${fileSystem})`;
  const row = (step: string, pick: (run: Repetition) => Timed<unknown>) =>
    `| ${where} | ${step} | ${seconds(median(entry.runs.map((run) => pick(run).ms)))} | ${seconds(median(entry.runs.map((run) => pick(run).cpuMs)))} | ${entry.runs.map((run) => seconds(pick(run).ms)).join(", ")} |`;
  return [
    row("fresh full clone (`git clone --no-local`, with checkout)", (run) => run.clone),
    row("workspace, warm mirror (fetch + borrowed clone + checkout)", (run) => run.prepare),
    `| ${where} | … of which the mirror fetch (one new commit) | ${seconds(median(entry.runs.map((run) => run.fetchMs)))} | | ${entry.runs.map((run) => seconds(run.fetchMs)).join(", ")} |`,
  ];
}

function verdict(entry: Measured, fileSystem: string): string {
  const ratio = median(entry.runs.map((run) => run.clone.ms)) / median(entry.runs.map((run) => run.prepare.ms));
  const cpuRatio =
    median(entry.runs.map((run) => run.clone.cpuMs)) / median(entry.runs.map((run) => run.prepare.cpuMs));
  return `- On ${fileSystem} (\`${entry.scratch}\`): workspace preparation **${ratio.toFixed(1)}×** faster by wall clock, ${cpuRatio.toFixed(1)}× by CPU time — budget ≥ 10×: ${ratio >= 10 ? "met" : "**not met**"}.`;
}

async function fileSystemOf(path: string): Promise<string> {
  const output = await execFileAsync("df", ["--output=fstype", path]).catch(() => ({ stdout: "" }));
  return output.stdout.trim().split("\n").at(-1) || "unknown file system";
}

async function writeDocs(text: string): Promise<void> {
  const current = await readFile(DOCS, "utf8").catch(() => "");
  const block = `${START_MARK}\n${text}\n${END_MARK}`;
  const start = current.indexOf(START_MARK);
  const end = current.indexOf(END_MARK);
  const next =
    start >= 0 && end > start
      ? `${current.slice(0, start)}${block}${current.slice(end + END_MARK.length)}`
      : `${current}\n## Measured figures\n\n${block}\n`;
  await writeFile(DOCS, next);
}

function reversed<A, B>(b: B, a: A): [A, B] {
  return [a, b];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function seconds(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}
