import type { CarrySidecar, Ledger, LedgerRow } from "../../ledger/index.js";

/** A done (or, with `source: "revise"`, revised) stage: its carry and `done` row in one commit (see `Ledger.recordStageDone`). */
export async function recordStageDone(
  ledger: Ledger,
  issue: number,
  run: string,
  carry: CarrySidecar,
  now: Date,
  source?: "revise",
): Promise<void> {
  await ledger.recordStageDone(issue, { run, carry, now, source });
}

export async function recordRows(ledger: Ledger, issue: number, rows: Array<Omit<LedgerRow, "at">>): Promise<void> {
  if (rows.length === 0) return;
  await ledger.appendRows(issue, rows as never);
}
