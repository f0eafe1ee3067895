/**
 * GitHub API requests of a one-stage implementation run (SPEC §13: ≤ 30, ledger reads ≤ 3, ledger commits ≤ 3),
 * by route, for a stage without dependencies and one with two, counted by the stateful fake GitHub of
 * test/github-e2e (real Probot, real git over HTTP). The measurement is test/github-e2e/implement-budget.test.ts;
 * this script runs it and prints its table.
 *
 *   node --import tsx bench/implement-requests.ts
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const dir = mkdtempSync(path.join(tmpdir(), "okstra-implement-requests-"));
const report = path.join(dir, "table.md");
try {
  const jest = spawnSync(
    process.execPath,
    [
      "--experimental-vm-modules",
      "node_modules/jest/bin/jest.js",
      "test/github-e2e/implement-budget",
      "--maxWorkers=1",
    ],
    {
      env: { ...process.env, OKSTRA_IMPLEMENT_REQUESTS: report },
      encoding: "utf8",
    },
  );
  let table = "";
  try {
    table = readFileSync(report, "utf8");
  } catch {
    process.stderr.write(jest.stderr);
    throw new Error("the measurement did not run: see jest's output above");
  }
  process.stdout.write(table);
  if (jest.status !== 0) process.stdout.write("\n(the budget test failed: a figure above is over SPEC §13's budget)\n");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
