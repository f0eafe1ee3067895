import {
  recordHeadMovesMutation,
  type Ledger,
  type LedgerRow,
  type PrRow,
  type VerifiedRow,
} from "../../ledger/index.js";
import { reconciliationRows, staleVerdict, type StageHeadMove } from "./head-moves.js";

/** A move the ledger now records, with what the rest of the pass needs to say about it. */
export interface RecordedMove {
  move: StageHeadMove;
  rows: LedgerRow[];
  /** The verdict given at the old head that the new content made stale. */
  staleVerdict: VerifiedRow | null;
  /** The verdict carried over to the new head (same content). */
  carriedVerdict: VerifiedRow | null;
  /** The carried verdict's run created a check run for the stage, so the new head gets one too. */
  hadCheckRun: boolean;
  /** The stage's own PR, as the ledger last recorded it. */
  stagePr: PrRow | null;
}

/**
 * Every observed move in one ledger commit. The moves were observed outside
 * the mutation, so each is decided again on the rows this attempt read: a
 * stage claimed meanwhile, or whose effective `done` is no longer the head
 * the move was observed from (another pass or run got there first), is left
 * alone. A pass that finds nothing new writes nothing.
 */
export async function recordHeadMoves(
  ledger: Ledger,
  issue: number,
  moves: readonly StageHeadMove[],
  now: Date,
): Promise<RecordedMove[]> {
  if (moves.length === 0) return [];
  const outcome = await ledger.mutate(recordHeadMovesMutation(issue, moves, now, reconciliationRows));
  return outcome.value.map(({ move, rows, state, carriedVerdict, hadCheckRun }) => ({
    move,
    rows,
    staleVerdict: staleVerdict(move, state),
    carriedVerdict,
    hadCheckRun,
    stagePr: state.prs.filter((pr) => pr.kind === "stage").at(-1) ?? null,
  }));
}
