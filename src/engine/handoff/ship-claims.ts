import {
  appendChange,
  ledgerRowSchema,
  readRows,
  readShipClaims,
  rowsToAppend,
  SHIP_CLAIMS_FILE,
  shipClaimsChange,
  type Ledger,
  type LedgerRow,
  type PrRow,
  type ShipClaim,
} from "../../ledger/index.js";
import { coveringGroup } from "./eligibility.js";

/**
 * Ship claims: the compare-and-swap guard that keeps two concurrent ships
 * from opening two group PRs for one stage. Before anything is pushed or
 * opened, a ship run claims its stages in `tasks/<N>/ship-claims.json` — in
 * the same mutation that checks no other live claim and no group `pr` row
 * covers them, so of two racing runs exactly one wins. The claim ends when
 * the run appends its group `pr` row (same commit), when the run stops
 * (released), or when its expiry passes (a crashed run).
 */

export { SHIP_CLAIMS_FILE, type ShipClaim };
export const DEFAULT_SHIP_CLAIM_MS = 30 * 60_000;

/** Another run is shipping some of the stages right now. */
export class ShipClaimedError extends Error {
  constructor(readonly held: ShipClaim[]) {
    super(held.map((c) => `stage ${c.stage} is being shipped by run ${c.run} (claimed until ${c.until})`).join("; "));
    this.name = "ShipClaimedError";
  }
}

/** A group PR recorded meanwhile already covers some of the stages. */
export class StageShippedError extends Error {
  constructor(readonly covered: Array<{ stage: number; group: number }>) {
    super(covered.map((c) => `stage ${c.stage} is already shipped in #${c.group}`).join("; "));
    this.name = "StageShippedError";
  }
}

function coveredIn(
  rows: readonly LedgerRow[],
  stages: readonly number[],
  closedGroups: ReadonlySet<number>,
): Array<{ stage: number; group: number }> {
  const prs = rows.filter((row): row is PrRow => row.status === "pr");
  return stages.flatMap((stage) => {
    const row = coveringGroup(
      prs.filter((pr) => pr.stages.includes(stage)),
      closedGroups,
    );
    return row ? [{ stage, group: row.number }] : [];
  });
}

/** Claims `stages` for `run` until `until`, all or none; expired claims of other runs are dropped on the way. */
export async function claimShipStages(
  ledger: Ledger,
  issue: number,
  request: { run: string; stages: readonly number[]; until: Date; now: Date; closedGroups?: ReadonlySet<number> },
): Promise<void> {
  const now = request.now.getTime();
  await ledger.mutate(async (view) => {
    const { rows } = await readRows(view, issue);
    const covered = coveredIn(rows, request.stages, request.closedGroups ?? new Set());
    if (covered.length > 0) throw new StageShippedError(covered);
    const live = (await readShipClaims(view, issue)).filter((c) => Date.parse(c.until) > now);
    const held = live.filter((c) => c.run !== request.run && request.stages.includes(c.stage));
    if (held.length > 0) throw new ShipClaimedError(held);
    const ours = request.stages.map((stage) => ({ stage, run: request.run, until: request.until.toISOString() }));
    const claims = [...live.filter((c) => c.run !== request.run), ...ours];
    return {
      changes: new Map([shipClaimsChange(issue, claims)]),
      message: `ledger(#${issue}): ${request.run} claims stage ${request.stages.join(", ")} to ship`,
      value: undefined,
    };
  });
}

/**
 * Records the group PR and ends the run's claims in one commit, so there is
 * no moment at which the stages are neither claimed nor covered.
 */
export async function recordGroupPr(ledger: Ledger, issue: number, row: Omit<PrRow, "at">, now: Date): Promise<void> {
  const complete = ledgerRowSchema.parse({ ...row, at: now.toISOString() });
  await ledger.mutate(async (view) => {
    const { rows } = await readRows(view, issue);
    const appended = rowsToAppend(rows, [complete]);
    const claims = (await readShipClaims(view, issue)).filter(
      (c) => c.run !== row.run && Date.parse(c.until) > now.getTime(),
    );
    const changes = new Map([shipClaimsChange(issue, claims), ...(await appendChange(view, issue, appended))]);
    return {
      changes,
      message: `ledger(#${issue}): ${row.run} ships stage ${row.stages.join(", ")} in #${row.number}`,
      value: undefined,
    };
  });
}

/** Ends the run's claims without shipping (a refusal, a conflict, an error). */
export async function releaseShipClaims(ledger: Ledger, issue: number, run: string, now: Date): Promise<void> {
  await ledger.mutate(async (view) => {
    const claims = (await readShipClaims(view, issue)).filter(
      (c) => c.run !== run && Date.parse(c.until) > now.getTime(),
    );
    return {
      changes: new Map([shipClaimsChange(issue, claims)]),
      message: `ledger(#${issue}): ${run} releases its ship claims`,
      value: undefined,
    };
  });
}
