import { mkdtemp, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { runCli } from "./main.js";
import { createSampleRepository, FIXTURES_DIR } from "./sample-repository.js";

/**
 * `npm run demo`: okstra on the bundled sample repository, offline, through
 * the real engine and the local platform (SPEC §11.1).
 *
 * 1. build the sample repository (a small library with its own tests) in a temp dir;
 * 2. file the sample issue and comment the commands this version carries out;
 * 3. print what okstra answered and where the files it wrote are.
 */
const STEPS: Array<{ comment: string; why: string }> = [
  { comment: "/okstra help", why: "usage, as the run status comment" },
  { comment: "/okstra status", why: "the task's ledger (there is no plan yet)" },
  { comment: "/okstra plan", why: "planning is not built in this version: okstra says so and starts nothing" },
];

async function main(): Promise<number> {
  const root = await mkdtemp(path.join(tmpdir(), "okstra-demo-"));
  const repo = await createSampleRepository(path.join(root, "inventory-lib"));
  const issueFile = path.join(FIXTURES_DIR, "sample-issue.md");
  say(`okstra demo — sample repository at ${repo}`);

  for (const [index, step] of STEPS.entries()) {
    say(`\n━━ ${index + 1}. ${step.comment}  (${step.why})`);
    let answer = "";
    let refusal = "";
    const code = await runCli(["run", step.comment, "--repo", repo, "--issue", "1", "--issue-file", issueFile, "--actor", "maintainer"], {
      stdout: (text) => (answer += text),
      stderr: (text) => (refusal += text),
    });
    say(indent(answer.trim()));
    say(`   → exit ${code}${refusal ? ` (${refusal.trim()})` : ""}`);
  }

  const localDir = path.join(repo, ".okstra-local");
  say(`\n━━ What GitHub would show is JSON under ${localDir}:`);
  for (const file of await listFiles(localDir)) say(`   ${path.relative(localDir, file)}`);
  const firstComment = await readFile(path.join(localDir, "issues", "1", "comments", "1.json"), "utf8");
  say(`\nThe command comment, with okstra's 👀 reaction:\n${indent(firstComment)}`);
  say(`\nTry it yourself:\n   node bin/okstra.js run "/okstra status" --repo ${repo} --issue 1`);
  return 0;
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && !entry.parentPath.includes(`${path.sep}ids`))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => `   ${line}`)
    .join("\n");
}

function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

process.exitCode = await main();
