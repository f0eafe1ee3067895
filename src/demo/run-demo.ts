import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { runCli } from "../cli/main.js";
import { createSampleRepository, FIXTURES_DIR } from "../cli/sample-repository.js";
import { git } from "../util/git.js";
import { recordedConfig } from "./recorded-config.js";
import { postDemoReview, stagePullNumber, type DemoReview } from "./review-step.js";

/**
 * The offline demo of the lifecycle (SPEC §11 `npm run demo`), through the
 * real engine and the local platform, with workers replaying recordings:
 * 1. build the sample repository and commit the demo configuration;
 * 2. file the sample issue and comment each command a maintainer would;
 * 3. report, phase by phase, what okstra did and where to look.
 */

export interface DemoStep {
  comment: string;
  why: string;
  exitCode: number;
  /** What okstra posted in answer (status comment or refusal), markdown. */
  answer: string;
}

export interface DemoResult {
  repo: string;
  issue: number;
  steps: DemoStep[];
}

export interface DemoOptions {
  root: string;
  /** Called as each step finishes, for live output. */
  onStep?: (step: DemoStep) => void;
  /** Commands to run; the full lifecycle by default. */
  script?: DemoScriptStep[];
}

/** A command on the issue, or on the PR of a stage (`onStagePr`); or a reviewer's inline comment, which is not a command. */
export type DemoScriptStep = { comment: string; why: string; onStagePr?: number } | { review: DemoReview; why: string };

export const LIFECYCLE: DemoScriptStep[] = [
  { comment: "/okstra help", why: "what okstra can do" },
  {
    comment: "/okstra plan\nKeep the library free of runtime dependencies.",
    why: "plan the issue: two analysers, a lead with a fix round, the plan-body gate",
  },
  { comment: "/okstra approve", why: "approve the plan; the approval is bound to its digest" },
  {
    comment: "/okstra implement",
    why: "stages 1 and 2 are ready and fit the step budget; verification runs after the batch",
  },
  { comment: "/okstra implement", why: "stage 3 merges the heads of 1 and 2" },
  { comment: "/okstra implement", why: "stage 4 builds on 3" },
  {
    review: {
      stage: 2,
      path: "src/inventory.js",
      near: "value: item.quantity * item.unitPrice",
      author: "reviewer",
      body: "Floating point: 3 × 0.1 shows as 0.30000000000000004 here. Round the value to cents.",
    },
    why: "a reviewer leaves an inline comment on stage 2's PR",
  },
  {
    comment: "/okstra revise",
    onStagePr: 2,
    why: "on that PR: the executor addresses the thread on top of stage 2, okstra answers it, restacks 3 and 4 and re-verifies",
  },
  { comment: "/okstra status", why: "the ledger as a table" },
  { comment: "/okstra ship all", why: "assemble the verified stages into one merge-ready PR" },
];

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const repo = await createSampleRepository(path.join(options.root, "inventory-lib"));
  await writeFile(path.join(repo, ".github", "okstra.yml"), recordedConfig());
  await git(["add", ".github/okstra.yml"], { cwd: repo });
  await git(["commit", "-q", "-m", "chore: okstra configuration with recorded workers"], { cwd: repo });
  // Mirrors and run directories of the demo stay inside its own folder.
  process.env.OKSTRA_CACHE_DIR ??= path.join(options.root, "cache");

  const issueFile = path.join(FIXTURES_DIR, "sample-issue.md");
  const steps: DemoStep[] = [];
  for (const entry of options.script ?? LIFECYCLE) {
    const step =
      "review" in entry
        ? { comment: "(review comment)", why: entry.why, exitCode: 0, answer: await postDemoReview(repo, entry.review) }
        : await runDemoCommand(repo, issueFile, entry);
    steps.push(step);
    options.onStep?.(step);
  }
  return { repo, issue: 1, steps };
}

async function runDemoCommand(
  repo: string,
  issueFile: string,
  entry: { comment: string; why: string; onStagePr?: number },
): Promise<DemoStep> {
  const where =
    entry.onStagePr === undefined
      ? ["--issue", "1", "--issue-file", issueFile]
      : ["--pr", String(await stagePullNumber(repo, entry.onStagePr))];
  let answer = "";
  let errors = "";
  const exitCode = await runCli(["run", entry.comment, "--repo", repo, ...where, "--actor", "maintainer"], {
    stdout: (text) => (answer += text),
    stderr: (text) => (errors += text),
  });
  return { comment: entry.comment, why: entry.why, exitCode, answer: answer.trim() || errors.trim() };
}

/** Where to look after the demo: the files a maintainer would see on GitHub, and the branches. */
export async function describeOutcome(repo: string): Promise<string[]> {
  const local = path.join(repo, ".okstra-local");
  const lines: string[] = [];
  const pulls = await readJsonDir(path.join(local, "pulls"));
  lines.push(`Pull requests (${path.join(local, "pulls")}):`);
  for (const pr of pulls.sort((a, b) => Number(a.number) - Number(b.number))) {
    lines.push(`  #${pr.number} ${pr.title} — ${pr.head} → ${pr.base}${pr.draft ? " (draft)" : ""}`);
  }
  const checks = await readJsonDir(path.join(local, "check-runs"));
  if (checks.length > 0) {
    lines.push(`Check runs (${path.join(local, "check-runs")}):`);
    for (const check of checks)
      lines.push(`  ${check.name} on ${String(check.headSha).slice(0, 12)}: ${check.conclusion ?? check.status}`);
  }
  const graph = await git(["log", "--graph", "--oneline", "--decorate", "--branches=okstra/1/*", "main"], {
    cwd: repo,
  });
  lines.push(
    "Branches (git log --graph):",
    ...graph.stdout
      .trimEnd()
      .split("\n")
      .map((l) => `  ${l}`),
  );
  const ledger = await git(["ls-tree", "-r", "--name-only", "okstra/ledger"], { cwd: repo });
  lines.push(
    `The ledger (git show okstra/ledger:<path> in ${repo}):`,
    ...ledger.stdout
      .trim()
      .split("\n")
      .map((l) => `  ${l}`),
  );
  return lines;
}

async function readJsonDir(dir: string): Promise<Array<Record<string, unknown>>> {
  const files = await readdir(dir).catch(() => [] as string[]);
  return Promise.all(
    files.filter((f) => f.endsWith(".json")).map(async (f) => JSON.parse(await readFile(path.join(dir, f), "utf8"))),
  );
}

export async function ensureDir(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  return dir;
}
