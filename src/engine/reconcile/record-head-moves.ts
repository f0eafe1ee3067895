import { rowsToAppend } from "../../ledger/derive.js";
import { appendRowsText } from "../../ledger/jsonl.js";
import type { Ledger } from "../../ledger/ledger.js";
import { TASK_FILES } from "../../ledger/paths.js";
import type { LedgerRow, PrRow, VerifiedRow } from "../../ledger/rows.js";
import { readRows, readTaskFrom, taskPath } from "../../ledger/task-ledger.js";
import { reconciliationRows, staleVerdict, type StageHeadMove } from "./head-moves.js";

/** A move the ledger now records, with what the rest of the pass needs to say about it. */
export interface RecordedMove {
  move: StageHeadMove;
  rows: LedgerRow[];
  /** The verdict given at the old head that the new content made stale. */
  staleVerdict: VerifiedRow | null;
  /** The verdict carried over to the new head (same content). */
  carriedVerdict: VerifiedRow | null;
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
export async function recordHeadMoves(ledger: Ledger, issue: number, moves: readonly StageHeadMove[], now: Date): Promise<RecordedMove[]> {
  if (moves.length === 0) return [];
  const outcome = await ledger.mutate(async (view) => {
    const [task, { text }] = await Promise.all([readTaskFrom(view, issue, now), readRows(view, issue)]);
    const recorded: RecordedMove[] = [];
    const appended: LedgerRow[] = [];
    for (const move of moves) {
      const state = task?.state.stages.find((s) => s.stage === move.stage);
      if (!task || !state?.done || state.claim || state.done.headCommit !== move.from) continue;
      const fresh = rowsToAppend([...task.rows, ...appended], reconciliationRows(move, { ...state, done: state.done }, now.toISOString()));
      if (fresh.length === 0) continue;
      appended.push(...fresh);
      recorded.push({
        move,
        rows: fresh,
        staleVerdict: staleVerdict(move, state),
        carriedVerdict: (fresh.find((row) => row.status === "verified") as VerifiedRow | undefined) ?? null,
        stagePr: state.prs.filter((pr) => pr.kind === "stage").at(-1) ?? null,
      });
    }
    const changes = new Map<string, string | null>();
    if (appended.length > 0) changes.set(taskPath(issue, TASK_FILES.rows), appendRowsText(text, appended));
    const described = recorded.map(({ move }) => `s${move.stage} ${move.from.slice(0, 7)}→${move.to.slice(0, 7)} (${move.change})`).join(", ");
    return { changes, message: `ledger(#${issue}): reconcile ${described}`, value: recorded };
  });
  return outcome.value;
}
