/**
 * How long `npm run lint` takes (it runs inside `npm test`), part by part, as medians of a few runs:
 * Biome (lint and format check of src, test, bench) and dependency-cruiser (the import direction of src).
 * Run on a quiet machine; the load average is printed beside the figures.
 *
 *   node --import tsx bench/lint-time.ts [--runs 5]
 */
import { execFileSync } from "node:child_process";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { runs: { type: "string", default: "5" } } });
const runs = Math.max(3, Number(values.runs));

const CHECKS: Record<string, string[]> = {
  "biome check (lint + format)": ["node_modules/.bin/biome", "check", "--error-on-warnings", "."],
  "dependency-cruiser (src)": ["node_modules/.bin/depcruise", "--config", ".dependency-cruiser.cjs", "src"],
};

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function timeOnce([command, ...args]: string[]): number {
  const started = performance.now();
  try {
    execFileSync(command!, args, { stdio: "ignore" });
  } catch {
    // A failing check takes as long as a passing one: the figure is the time, not the verdict.
  }
  return performance.now() - started;
}

console.log(`load average ${loadavg()[0]!.toFixed(1)}, ${runs} runs each`);
let total = 0;
for (const [name, command] of Object.entries(CHECKS)) {
  const samples = Array.from({ length: runs }, () => timeOnce(command));
  total += median(samples);
  console.log(`${name.padEnd(30)} median ${(median(samples) / 1000).toFixed(2)} s`);
}
console.log(`${"npm run lint (sum)".padEnd(30)} median ${(total / 1000).toFixed(2)} s`);
