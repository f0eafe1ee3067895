import { z } from "zod";
import type { LedgerSnapshot } from "./store.js";
import { readJson, taskPath } from "./task-ledger.js";

/**
 * `tasks/<N>/ship-claims.json`: which run is shipping which stage, until
 * when. This file owns the file's shape and how it is read and written;
 * ship-claims-mutations.ts its writes (why: engine/handoff/ship-claims.ts).
 */

export const SHIP_CLAIMS_FILE = "ship-claims.json";

const claimSchema = z.object({
  stage: z.number().int().positive(),
  run: z.string().min(1),
  until: z.iso.datetime({ offset: true }),
});
const claimsFileSchema = z.object({ v: z.literal(1), claims: z.array(claimSchema) });
export type ShipClaim = z.infer<typeof claimSchema>;

export async function readShipClaims(view: LedgerSnapshot, issue: number): Promise<ShipClaim[]> {
  return (await readJson(view, taskPath(issue, SHIP_CLAIMS_FILE), claimsFileSchema))?.claims ?? [];
}

/** The change that stores `claims` (sorted by stage), or deletes the file when none is left. */
export function shipClaimsChange(issue: number, claims: readonly ShipClaim[]): [string, string | null] {
  const path = taskPath(issue, SHIP_CLAIMS_FILE);
  if (claims.length === 0) return [path, null];
  const sorted = [...claims].sort((a, b) => a.stage - b.stage);
  return [path, `${JSON.stringify({ v: 1, claims: sorted }, null, 2)}\n`];
}
