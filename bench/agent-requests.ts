/**
 * What okstra sends its model workers, measured on real runs of the real
 * engine (SPEC §13). Every worker is a recorded `command` worker wrapped by
 * bench/log-worker-request.mjs, which logs the request okstra built.
 *
 *   node --import tsx bench/agent-requests.ts [--before REV] [--repo DIR] [--out FILE]
 *
 * 1. Cache-prefix share, the sample lifecycle (the demo's recordings: plan →
 *    approve → implement ×3, verification after each batch): for each call,
 *    the share of its prompt that repeats byte for byte the start of an
 *    earlier call's prompt in the same run — what a provider's prompt cache
 *    could serve. Run with this tree's prompts and with those of `--before`
 *    (default: the commit before the shared-context reordering), side by side.
 * 2. Request size per planning role on a real repository (`--repo`, default:
 *    a clone of this okstra tree itself, ~300 files), with the planning
 *    context budget (default 40k tokens) and without it (contextTokens 1M).
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const LOGGER = path.join(ROOT, "bench", "log-worker-request.mjs");

interface Logged {
  role: string;
  run: string;
  stage?: number;
  round?: number;
  prompt: string;
  stablePrefixLength: number;
  requestBytes: number;
  schemaChars: number;
}

type RunCli = (argv: string[], io: { stdout: (t: string) => void; stderr: (t: string) => void }) => Promise<number>;

interface Engine {
  runCli: RunCli;
  recordedConfig: (extra?: string[]) => string;
  createSampleRepository: (dir: string) => Promise<string>;
  fixtures: string;
}

async function loadEngine(root: string): Promise<Engine> {
  const load = (file: string) => import(pathToFileURL(path.join(root, file)).href);
  const [{ runCli }, { recordedConfig }, { createSampleRepository }] = await Promise.all([
    load("src/cli/main.ts"),
    load("src/demo/recorded-config.ts"),
    load("src/cli/sample-repository.ts"),
  ]);
  return { runCli, recordedConfig, createSampleRepository, fixtures: path.join(root, "fixtures") };
}

/** Every `command: "…"` of a config, run through the logger. */
function logged(config: string, log: string): string {
  return config.replace(/command: "/g, `command: "${process.execPath} ${LOGGER} ${log} `);
}

function sh(cwd: string, command: string, args: string[]): string {
  return execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

function commit(dir: string, file: string, text: string): Promise<void> {
  return writeFile(path.join(dir, file), text).then(() => {
    sh(dir, "git", ["add", file]);
    sh(dir, "git", [
      "-c",
      "user.name=bench",
      "-c",
      "user.email=bench@example.com",
      "commit",
      "-q",
      "-m",
      `chore: ${file}`,
    ]);
  });
}

async function runComments(engine: Engine, repo: string, issueFile: string, comments: string[]): Promise<void> {
  for (const comment of comments) {
    let out = "";
    const code = await engine.runCli(
      ["run", comment, "--repo", repo, "--issue", "1", "--issue-file", issueFile, "--actor", "maintainer"],
      {
        stdout: (t) => (out += t),
        stderr: (t) => (out += t),
      },
    );
    if (code !== 0 && !comment.startsWith("/okstra implement")) throw new Error(`${comment} failed (${code}):\n${out}`);
  }
}

async function readLog(file: string): Promise<Logged[]> {
  const text = await readFile(file, "utf8").catch(() => "");
  return text
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Logged);
}

/** The sample lifecycle with `root`'s engine and prompts; returns every logged request. */
async function lifecycle(root: string, scratch: string): Promise<Logged[]> {
  const engine = await loadEngine(root);
  const dir = await mkdtemp(path.join(scratch, "lifecycle-"));
  process.env.OKSTRA_CACHE_DIR = path.join(dir, "cache");
  const repo = await engine.createSampleRepository(path.join(dir, "inventory-lib"));
  const log = path.join(dir, "requests.jsonl");
  await commit(repo, ".github/okstra.yml", logged(engine.recordedConfig(), log));
  const issue = path.join(engine.fixtures, "sample-issue.md");
  await runComments(engine, repo, issue, [
    "/okstra plan\nKeep the library free of runtime dependencies.",
    "/okstra approve",
    "/okstra implement",
    "/okstra implement",
    "/okstra implement",
  ]);
  return readLog(log);
}

function commonPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

interface Share {
  label: string;
  chars: number;
  shared: number;
}

/** Per call: the longest prefix it shares with an earlier call of the same run. */
function prefixShares(calls: Logged[]): Share[] {
  const seen = new Map<string, string[]>();
  return calls.map((call) => {
    const earlier = seen.get(call.run) ?? [];
    const shared = earlier.reduce((best, prompt) => Math.max(best, commonPrefix(call.prompt, prompt)), 0);
    seen.set(call.run, [...earlier, call.prompt]);
    const label = `${call.run} ${call.role}${call.stage ? ` s${call.stage}` : ""}${call.round ? ` r${call.round}` : ""}`;
    return { label, chars: call.prompt.length, shared };
  });
}

const pct = (n: number, d: number) => (d === 0 ? "—" : `${((100 * n) / d).toFixed(1)} %`);
const tokens = (chars: number) => Math.ceil(chars / 4).toLocaleString("en-US");

function shareTable(before: Share[], after: Share[]): string[] {
  const lines = [
    "| call (in order, per run) | prompt tokens before | shared before | prompt tokens after | shared after |",
    "|---|---:|---:|---:|---:|",
  ];
  const rows = Math.max(before.length, after.length);
  for (let i = 0; i < rows; i++) {
    const b = before[i];
    const a = after[i];
    lines.push(
      `| ${a?.label ?? b?.label} | ${b ? tokens(b.chars) : "—"} | ${b ? pct(b.shared, b.chars) : "—"} | ${a ? tokens(a.chars) : "—"} | ${a ? pct(a.shared, a.chars) : "—"} |`,
    );
  }
  const total = (s: Share[]) =>
    s.reduce((t, x) => ({ chars: t.chars + x.chars, shared: t.shared + x.shared }), { chars: 0, shared: 0 });
  const tb = total(before);
  const ta = total(after);
  lines.push(
    `| **all calls** | ${tokens(tb.chars)} | **${pct(tb.shared, tb.chars)}** | ${tokens(ta.chars)} | **${pct(ta.shared, ta.chars)}** |`,
  );
  return lines;
}

/** A real repository to plan on: a clone of this okstra tree at HEAD, unless one is given. */
async function realRepo(scratch: string, given?: string): Promise<string> {
  const source = given ?? ROOT;
  const dir = path.join(await mkdtemp(path.join(scratch, "real-")), "repo");
  sh(scratch, "git", ["clone", "-q", "--no-local", source, dir]);
  sh(dir, "git", ["checkout", "-q", "-B", "main"]);
  return dir;
}

const REAL_ISSUE = `# Record prompt-cache reads per run

The cost column under-reports runs whose calls read the provider's prompt cache.

- \`runWorker\` in src/workers/run-worker.ts should carry the cached input tokens each provider reports
  (src/workers/providers/anthropic.ts, src/workers/providers/openai.ts, src/workers/providers/gemini.ts,
  src/workers/providers/claude-code.ts, src/workers/providers/codex.ts, src/workers/providers/gemini-cli.ts).
- \`pricedUsage\` and \`addUsage\` (src/workers/usage.ts) must keep them, \`costOf\` (src/workers/prices.ts)
  must price them, and the \`BudgetMeter\` should sum them per run.
- \`invokeWorker\` and \`finishRun\` write them to the run files; \`readTaskSpend\` reads them back.
- Show them in the status comment's footer (\`renderRunStatus\`, src/render/run-status.ts) and the reports
  (\`renderPlanningReport\`, \`renderImplementationReport\`, \`renderVerificationReport\`).
`;

async function planningSizes(
  engine: Engine,
  scratch: string,
  repoDir: string,
  contextTokens?: number,
): Promise<Logged[]> {
  const dir = await mkdtemp(path.join(scratch, "sizes-"));
  process.env.OKSTRA_CACHE_DIR = path.join(dir, "cache");
  const repo = path.join(dir, "repo");
  sh(dir, "git", ["clone", "-q", "--no-local", repoDir, repo]);
  const log = path.join(dir, "requests.jsonl");
  const budget = contextTokens === undefined ? [] : ["planning:", `  contextTokens: ${contextTokens}`];
  await commit(repo, ".github/okstra.yml", logged(engine.recordedConfig(budget), log));
  const issue = path.join(dir, "issue.md");
  await writeFile(issue, REAL_ISSUE);
  await runComments(engine, repo, issue, ["/okstra plan"]);
  return readLog(log);
}

function sizeTable(withBudget: Logged[], without: Logged[]): string[] {
  const byRole = (calls: Logged[], role: string) => calls.filter((c) => c.role === role);
  const median = (xs: number[]) => (xs.length === 0 ? 0 : [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!);
  const lines = [
    "| role | calls | model input tokens (prompt + schema), budget 40k, median | without budget¹ | `command` request JSON KB², budget 40k, median | without budget¹ |",
    "|---|---:|---:|---:|---:|---:|",
  ];
  for (const role of ["analyser", "lead", "plan-reviewer"]) {
    const a = byRole(withBudget, role);
    const b = byRole(without, role);
    const model = (c: Logged) => Math.ceil((c.prompt.length + c.schemaChars) / 4);
    lines.push(
      `| ${role} | ${a.length} | ${median(a.map(model)).toLocaleString("en-US")} | ${median(b.map(model)).toLocaleString("en-US")} | ${(median(a.map((c) => c.requestBytes)) / 1024).toFixed(0)} | ${(median(b.map((c) => c.requestBytes)) / 1024).toFixed(0)} |`,
    );
  }
  return lines;
}

/** This tree at `rev`, runnable: its files, with this tree's node_modules. */
async function treeAt(rev: string, scratch: string): Promise<string> {
  const dir = await mkdtemp(path.join(scratch, "before-"));
  execFileSync("sh", ["-c", `git -C "${ROOT}" archive "${rev}" | tar -x -C "${dir}"`]);
  await symlink(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
  return dir;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { before: { type: "string", default: "f79e532" }, repo: { type: "string" }, out: { type: "string" } },
  });
  const scratch = await mkdtemp(path.join(tmpdir(), "okstra-bench-requests-"));
  try {
    const beforeRoot = await treeAt(values.before!, scratch);
    const before = prefixShares(await lifecycle(beforeRoot, scratch));
    const after = prefixShares(await lifecycle(ROOT, scratch));
    const engine = await loadEngine(ROOT);
    const repoDir = await realRepo(scratch, values.repo);
    const files = sh(repoDir, "git", ["ls-files"]).trim().split("\n").length;
    const withBudget = await planningSizes(engine, scratch, repoDir);
    const without = await planningSizes(engine, scratch, repoDir, 1_000_000);
    const report = [
      `## Cache-prefix share, sample lifecycle (prompts at ${values.before} vs this tree)`,
      "",
      ...shareTable(before, after),
      "",
      `## Planning request size per role on a real repository (${values.repo ?? "okstra itself"}, ${files} files)`,
      "",
      ...sizeTable(withBudget, without),
      "",
      "¹ `planning.contextTokens: 1000000`: only the per-file (24k characters) and file-count caps (20 named, 12 keyword matches) apply.",
      "² What a `command` worker reads on stdin: the prompt, plus the same context again as structured JSON (`input`, SPEC §12), plus the schema.",
      "",
    ].join("\n");
    process.stdout.write(report);
    if (values.out) await writeFile(values.out, report);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

await main();
