import {
  appendChange,
  readTaskFrom,
  rowsToAppend,
  runFile,
  runManifestSchema,
  taskPath,
  type Ledger,
  type LedgerRow,
  type LedgerSnapshot,
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
  const outcome = await ledger.mutate(async (view) => {
    const task = await readTaskFrom(view, issue, now);
    const recorded: RecordedMove[] = [];
    const appended: LedgerRow[] = [];
    for (const move of moves) {
      const state = task?.state.stages.find((s) => s.stage === move.stage);
      if (!task || !state?.done || state.claim || state.done.headCommit !== move.from) continue;
      const fresh = rowsToAppend(
        [...task.rows, ...appended],
        reconciliationRows(move, { ...state, done: state.done }, now.toISOString()),
      );
      if (fresh.length === 0) continue;
      appended.push(...fresh);
      const carriedVerdict = (fresh.find((row) => row.status === "verified") as VerifiedRow | undefined) ?? null;
      recorded.push({
        move,
        rows: fresh,
        staleVerdict: staleVerdict(move, state),
        carriedVerdict,
        hadCheckRun: carriedVerdict !== null && (await createdCheckRun(view, issue, carriedVerdict.run, move.stage)),
        stagePr: state.prs.filter((pr) => pr.kind === "stage").at(-1) ?? null,
      });
    }
    const changes = await appendChange(view, issue, appended);
    const described = recorded
      .map(({ move }) => `s${move.stage} ${move.from.slice(0, 7)}→${move.to.slice(0, 7)} (${move.change})`)
      .join(", ");
    return { changes, message: `ledger(#${issue}): reconcile ${described}`, value: recorded };
  });
  return outcome.value;
}

/**
 * The platform has no "find check run": a verification run lists the check
 * runs it created in its run.json. Read here, in the snapshot the mutation
 * already holds, so it costs no extra ref read.
 */
async function createdCheckRun(view: LedgerSnapshot, issue: number, run: string, stage: number): Promise<boolean> {
  const text = await view.read(taskPath(issue, runFile(run, "run.json")));
  if (text === null) return false;
  const manifest = runManifestSchema.safeParse(JSON.parse(text));
  const checkRuns = manifest.success ? (manifest.data as { checkRuns?: unknown }).checkRuns : undefined;
  return (
    Array.isArray(checkRuns) &&
    checkRuns.some((c: { stage?: unknown; id?: unknown }) => c.stage === stage && typeof c.id === "number")
  );
}
