import type { LedgerRow, NeedsRestackRow } from "./rows.js";

/**
 * The stage's open `needs-restack` (SPEC §15.3): its last such row when no
 * `done` of the stage came after it (a restack, a revise or a person's merge
 * records a new `done`, which settles it). Null when the stage is up to date.
 */
export function openRestackConflict(rows: readonly LedgerRow[], stage: number): NeedsRestackRow | null {
  for (let i = rows.length - 1; i >= 0; i--) {
    const row = rows[i]!;
    if (row.status === "done" && row.stage === stage) return null;
    if (row.status === "needs-restack" && row.stage === stage) return row;
  }
  return null;
}
