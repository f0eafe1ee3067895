import type { Ledger } from "../../ledger/ledger.js";
import { carrySidecarSchema, type CarrySidecar } from "../../ledger/files.js";
import { appendRowsText } from "../../ledger/jsonl.js";
import { carryFile } from "../../ledger/paths.js";
import { rowsToAppend } from "../../ledger/derive.js";
import { ledgerRowSchema, type LedgerRow } from "../../ledger/rows.js";
import { readRows, taskPath } from "../../ledger/task-ledger.js";

/**
 * A done stage is recorded as its carry and its `done` row in one ledger
 * commit: the carry is the evidence, the row the index, and neither exists
 * without the other (a crash between two commits would otherwise leave a
 * carry for the backfill to find — harmless, but one commit is simpler).
 * A revised stage (SPEC §15.2) is recorded the same way with `source:
 * "revise"`, so every view knows the head moved by review feedback and the
 * verdict given at the old head is stale.
 */
export async function recordStageDone(ledger: Ledger, issue: number, run: string, carry: CarrySidecar, now: Date, source?: "revise"): Promise<void> {
  const sidecar = carrySidecarSchema.parse(carry);
  const carryPath = taskPath(issue, carryFile(sidecar.stage));
  const row = ledgerRowSchema.parse({
    at: now.toISOString(),
    run,
    status: "done",
    ...(source ? { source } : {}),
    stage: sidecar.stage,
    headCommit: sidecar.stageCommitRange.head,
    branch: sidecar.branch,
    carryPath,
  });
  await ledger.mutate(async (view) => {
    const { rows, text } = await readRows(view, issue);
    const changes = new Map<string, string | null>([[carryPath, `${JSON.stringify(sidecar, null, 2)}\n`]]);
    const fresh = rowsToAppend(rows, [row]);
    if (fresh.length > 0) changes.set(taskPath(issue, "ledger.jsonl"), appendRowsText(text, fresh));
    return { changes, message: `ledger(#${issue}): ${source ?? "done"} s${sidecar.stage} (${run})`, value: undefined };
  });
}

export async function recordRows(ledger: Ledger, issue: number, rows: Array<Omit<LedgerRow, "at">>): Promise<void> {
  if (rows.length === 0) return;
  await ledger.appendRows(issue, rows as never);
}
