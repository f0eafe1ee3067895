import { rowsToAppend, type StageState } from "./derive.js";
import { runManifestSchema } from "./files.js";
import { appendChange, type Mutation } from "./mutations.js";
import { runFile } from "./paths.js";
import type { DoneRow, LedgerRow, VerifiedRow } from "./rows.js";
import type { LedgerSnapshot } from "./store.js";
import { readTaskFrom, taskPath } from "./task-ledger.js";

/**
 * Observed moves of done stages' branch heads (SPEC §10), recorded in one
 * commit. The engine says what a move is and which rows record it
 * (engine/reconcile/head-moves.ts); this decides each move again on the rows
 * of its own attempt: a stage claimed meanwhile, or whose effective `done` is
 * no longer the head the move was observed from, is left alone.
 */

/** What the ledger needs of a move: the stage, the head it was seen from, where it went and why (for the message). */
export interface HeadMove {
  stage: number;
  from: string;
  to: string;
  change: string;
}

/** A done stage as this attempt read it. */
export type DoneStageState = StageState & { done: DoneRow };

export interface RecordedHeadMove<M extends HeadMove> {
  move: M;
  rows: LedgerRow[];
  /** The stage as the ledger held it before these rows. */
  state: DoneStageState;
  /** The verdict the rows carried over to the new head, if any. */
  carriedVerdict: VerifiedRow | null;
  /** The carried verdict's run created a check run for the stage. */
  hadCheckRun: boolean;
}

export function recordHeadMovesMutation<M extends HeadMove>(
  issue: number,
  moves: readonly M[],
  now: Date,
  rowsFor: (move: M, state: DoneStageState, at: string) => LedgerRow[],
): Mutation<RecordedHeadMove<M>[]> {
  return async (view) => {
    const task = await readTaskFrom(view, issue, now);
    const recorded: RecordedHeadMove<M>[] = [];
    const appended: LedgerRow[] = [];
    for (const move of moves) {
      const state = task?.state.stages.find((s) => s.stage === move.stage);
      if (!task || !state?.done || state.claim || state.done.headCommit !== move.from) continue;
      const done = { ...state, done: state.done };
      const fresh = rowsToAppend([...task.rows, ...appended], rowsFor(move, done, now.toISOString()));
      if (fresh.length === 0) continue;
      appended.push(...fresh);
      const carriedVerdict = (fresh.find((row) => row.status === "verified") as VerifiedRow | undefined) ?? null;
      recorded.push({
        move,
        rows: fresh,
        state: done,
        carriedVerdict,
        hadCheckRun: carriedVerdict !== null && (await createdCheckRun(view, issue, carriedVerdict.run, move.stage)),
      });
    }
    const changes = await appendChange(view, issue, appended);
    const described = recorded
      .map(({ move }) => `s${move.stage} ${move.from.slice(0, 7)}→${move.to.slice(0, 7)} (${move.change})`)
      .join(", ");
    return { changes, message: `ledger(#${issue}): reconcile ${described}`, value: recorded };
  };
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
