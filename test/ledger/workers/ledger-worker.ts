/**
 * One competing okstra process for the concurrency tests: opens the ledger
 * of a local repository, says "ready", waits for "go" on stdin (so all
 * processes start their mutation together), performs one operation and prints
 * its outcome as one JSON line. Run with `node --import tsx`.
 *
 *   ledger-worker.ts <repoDir> <issue> append <run> <stage>
 *   ledger-worker.ts <repoDir> <issue> claim <run> <stage,stage,...>
 */
import { once } from "node:events";
import { LedgerError } from "../../../src/ledger/errors.js";
import { Ledger } from "../../../src/ledger/ledger.js";
import { createLocalLedgerStore } from "../../../src/ledger/local-store.js";
import type { RowInput } from "../../../src/ledger/rows.js";

const [repoDir, issueArg, op, run, stagesArg] = process.argv.slice(2);
if (!repoDir || !issueArg || !op || !run || !stagesArg)
  throw new Error("usage: ledger-worker.ts <repoDir> <issue> append|claim <run> <stages>");
const issue = Number(issueArg);
const stages = stagesArg.split(",").map(Number);
const ledger = new Ledger(createLocalLedgerStore(repoDir));
const base = "b".repeat(40);

async function append(): Promise<Record<string, unknown>> {
  const stage = stages[0]!;
  const rows: RowInput[] = [
    {
      run,
      status: "verified",
      stage,
      verdict: "accepted",
      reportPath: `runs/${run}/report.md`,
      headCommit: "a".repeat(40),
    },
    {
      run,
      status: "pr",
      stages: [stage],
      kind: "stage",
      branch: `okstra/${issue}/s${stage}`,
      number: 100 + stage,
      url: `https://github.com/o/r/pull/${100 + stage}`,
    },
  ];
  const first = await ledger.appendRows(issue, rows);
  // The same append again, as a redelivered job would: it must change nothing.
  const replay = await ledger.appendRows(issue, rows);
  return { ok: true, attempts: first.attempts, appended: first.value.appended.length, replayWrote: replay.wrote };
}

async function claim(): Promise<Record<string, unknown>> {
  const outcome = await ledger.claimStages(issue, run, stages, new Date(Date.now() + 3_600_000), base);
  return { ok: true, attempts: outcome.attempts, claimed: outcome.value.claimed };
}

process.stdout.write("ready\n");
await once(process.stdin, "data");
process.stdin.pause();
try {
  const result = op === "append" ? await append() : await claim();
  process.stdout.write(`${JSON.stringify({ run, ...result })}\n`);
} catch (error) {
  if (!(error instanceof LedgerError)) throw error;
  const detail = error as LedgerError & { run?: string; stage?: number };
  process.stdout.write(
    `${JSON.stringify({ run, ok: false, error: error.name, holder: detail.run, stage: detail.stage, message: error.message })}\n`,
  );
}
