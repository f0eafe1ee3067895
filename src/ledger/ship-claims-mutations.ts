import { coveringGroup, rowsToAppend } from "./derive.js";
import { ShipClaimedError, StageShippedError } from "./errors.js";
import { appendChange, type Mutation } from "./mutations.js";
import { ledgerRowSchema, type LedgerRow, type PrRow } from "./rows.js";
import { readShipClaims, shipClaimsChange } from "./ship-claims-file.js";
import { readRows } from "./task-ledger.js";

/**
 * The three writes of ship claims (`tasks/<N>/ship-claims.json`, see
 * engine/handoff/ship-claims.ts for why they exist): a claim, decided on the
 * files of its own attempt so of two racing ship runs exactly one wins; the
 * group `pr` row that ends the claim in the same commit; and a release.
 */

export interface ShipClaimRequest {
  run: string;
  stages: readonly number[];
  until: Date;
  now: Date;
  /** Group PRs closed without being merged: they cover nothing. */
  closedGroups?: ReadonlySet<number>;
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

/**
 * Claims the stages for the run until `until`, all or none; expired claims of other runs are dropped on the way.
 * StageShippedError when a group PR covers one of them, ShipClaimedError when another run's live claim holds one.
 */
export function claimShipStagesMutation(issue: number, request: ShipClaimRequest): Mutation<undefined> {
  const now = request.now.getTime();
  return async (view) => {
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
  };
}

/** The group PR's row and the end of the run's claims in one commit: no stage is ever neither claimed nor covered. */
export function recordGroupPrMutation(issue: number, row: Omit<PrRow, "at">, now: Date): Mutation<undefined> {
  const complete = ledgerRowSchema.parse({ ...row, at: now.toISOString() });
  return async (view) => {
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
  };
}

/** Ends the run's claims without shipping (and drops expired ones of other runs). */
export function releaseShipClaimsMutation(issue: number, run: string, now: Date): Mutation<undefined> {
  return async (view) => {
    const claims = (await readShipClaims(view, issue)).filter(
      (c) => c.run !== run && Date.parse(c.until) > now.getTime(),
    );
    return {
      changes: new Map([shipClaimsChange(issue, claims)]),
      message: `ledger(#${issue}): ${run} releases its ship claims`,
      value: undefined,
    };
  };
}
