/**
 * Sandbox cost per worker call (SPEC §13: ≤ 50 ms median over ≥ 20 calls),
 * side by side with the same call unconfined, in one run.
 *
 *   node --import tsx bench/sandbox-cost.ts [--calls 30]
 *
 * Each call is a whole `runWorker` of a `command` executor (a node script
 * that reads the request and writes its result file), in a throwaway clone
 * directory — the path every provider takes through `runProcess`. Sandboxed
 * and unconfined calls alternate, so a slow moment of the machine costs both
 * sides alike; the first call of each kind is a warm-up, not counted.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { sandboxState } from "../src/sandbox/index.js";
import { executorResultSchema, resultJsonSchema } from "../src/workers/results.js";
import { runWorker } from "../src/workers/run-worker.js";

const { values } = parseArgs({ options: { calls: { type: "string", default: "30" } } });
const calls = Math.max(20, Number(values.calls));
const WORKER = fileURLToPath(new URL("../fixtures/workers/command/result-file.mjs", import.meta.url));

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function oneCall(cwd: string, sandbox: "on" | "off"): Promise<number> {
  process.env.OKSTRA_SANDBOX = sandbox;
  const started = performance.now();
  const outcome = await runWorker({
    request: {
      role: "executor",
      phase: "implementation",
      task: "issue-1",
      run: "impl-1",
      stage: 1,
      prompt: "bench",
      input: {},
      resultSchema: resultJsonSchema(executorResultSchema),
    },
    spec: { provider: "command", command: `"${process.execPath}" "${WORKER}"` },
    schema: executorResultSchema,
    cwd,
    deadlineMs: 60_000,
  });
  const elapsed = performance.now() - started;
  if (outcome.status !== "ok")
    throw new Error(`the ${sandbox} call ended ${outcome.status}: ${outcome.reason}\n${outcome.transcript.tail}`);
  return elapsed;
}

const probe = sandboxState({ ...process.env, OKSTRA_SANDBOX: "" });
if (probe.mode !== "on")
  throw new Error(`no working bubblewrap here: ${probe.mode === "unavailable" ? probe.reason : probe.mode}`);
const clone = await mkdtemp(path.join(tmpdir(), "okstra-bench-sandbox-"));
try {
  await oneCall(clone, "on");
  await oneCall(clone, "off");
  const on: number[] = [];
  const off: number[] = [];
  for (let i = 0; i < calls; i++) {
    if (i % 2 === 0) {
      on.push(await oneCall(clone, "on"));
      off.push(await oneCall(clone, "off"));
    } else {
      off.push(await oneCall(clone, "off"));
      on.push(await oneCall(clone, "on"));
    }
  }
  const [medOn, medOff] = [median(on), median(off)];
  console.log(
    `machine: ${availableParallelism()} cores, load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}, node ${process.version}, ${probe.bwrap}`,
  );
  console.log(`| worker calls | sandboxed (bwrap) median | unconfined median | sandbox cost per call |`);
  console.log(`|---|---|---|---|`);
  console.log(
    `| ${calls} each, alternating | ${medOn.toFixed(1)} ms | ${medOff.toFixed(1)} ms | ${(medOn - medOff).toFixed(1)} ms (goal ≤ 50 ms) |`,
  );
} finally {
  delete process.env.OKSTRA_SANDBOX;
  await rm(clone, { recursive: true, force: true });
}
