import {
  claimShipStagesMutation,
  recordGroupPrMutation,
  releaseShipClaimsMutation,
  type Ledger,
  type PrRow,
  type ShipClaimRequest,
} from "../../ledger/index.js";

/**
 * Ship claims: the compare-and-swap guard that keeps two concurrent ships
 * from opening two group PRs for one stage. Before anything is pushed or
 * opened, a ship run claims its stages in `tasks/<N>/ship-claims.json` — in
 * the same mutation that checks no other live claim and no group `pr` row
 * covers them, so of two racing runs exactly one wins. The claim ends when
 * the run appends its group `pr` row (same commit), when the run stops
 * (released), or when its expiry passes (a crashed run).
 */

export const DEFAULT_SHIP_CLAIM_MS = 30 * 60_000;

/** Claims `stages` for `run` until `until`, all or none; expired claims of other runs are dropped on the way. */
export async function claimShipStages(ledger: Ledger, issue: number, request: ShipClaimRequest): Promise<void> {
  await ledger.mutate(claimShipStagesMutation(issue, request));
}

/**
 * Records the group PR and ends the run's claims in one commit, so there is
 * no moment at which the stages are neither claimed nor covered.
 */
export async function recordGroupPr(ledger: Ledger, issue: number, row: Omit<PrRow, "at">, now: Date): Promise<void> {
  await ledger.mutate(recordGroupPrMutation(issue, row, now));
}

/** Ends the run's claims without shipping (a refusal, a conflict, an error). */
export async function releaseShipClaims(ledger: Ledger, issue: number, run: string, now: Date): Promise<void> {
  await ledger.mutate(releaseShipClaimsMutation(issue, run, now));
}
