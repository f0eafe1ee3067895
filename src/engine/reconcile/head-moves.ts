import type { DoneRow, StageState, VerifiedRow } from "../../ledger/index.js";
import type { CommitComparison, CommitSummary } from "../../platform/types.js";

/**
 * What happened to a done stage's branch since its effective `done` (SPEC
 * §10), and the rows that record it — pure, so the rules read in one place:
 * - `same-content`: the branch head has the tree of `done.headCommit` (a
 *   rebase or amend that changed nothing) ⇒ `done` at the new head with
 *   `source: "git-reconcile"`, and a verdict given at the old head is carried
 *   over to the new one (same content, same verdict);
 * - `commits-added`: the old head is an ancestor of the new one and the
 *   content differs (someone pushed on top) ⇒ `done` with `source: "user-edit"`;
 * - `rewritten`: the old head is no longer on the branch and the content
 *   differs (a force-push) ⇒ `done` with `source: "git-reconcile"`.
 * In both different-content cases the verdict stays where it was given, so
 * every view shows it stale (`verdictCurrent` false) until a re-verification.
 */

export type HeadChange = "same-content" | "commits-added" | "rewritten";

export interface StageHeadMove {
  stage: number;
  branch: string;
  /** The effective `done.headCommit` the move was observed against. */
  from: string;
  /** The branch head now. */
  to: string;
  change: HeadChange;
  /** Commits on `to` that `from` lacks, oldest first, for saying who changed what. */
  commits: CommitSummary[];
}

/** A comparison the platform could not make (the old head is gone from the repository) counts as a rewrite with new content. */
export function classifyHeadChange(comparison: CommitComparison | null): HeadChange {
  if (comparison === null) return "rewritten";
  if (comparison.sameTree) return "same-content";
  return comparison.status === "ahead" ? "commits-added" : "rewritten";
}

/** The verdict the move makes stale: one given at the old head, when the content changed. */
export function staleVerdict(move: StageHeadMove, state: StageState): VerifiedRow | null {
  if (move.change === "same-content") return null;
  return state.verdict && state.verdict.headCommit === move.from ? state.verdict : null;
}

/**
 * The rows recording one move, in the names of the runs whose rows they
 * reconcile: the `done` keeps its run, branch and carry; a carried verdict
 * keeps its run, verdict and report.
 */
export function reconciliationRows(
  move: StageHeadMove,
  state: StageState & { done: DoneRow },
  at: string,
): Array<DoneRow | VerifiedRow> {
  const { done, verdict } = state;
  const source = move.change === "commits-added" ? "user-edit" : "git-reconcile";
  const rows: Array<DoneRow | VerifiedRow> = [
    {
      at,
      run: done.run,
      status: "done",
      source,
      stage: move.stage,
      headCommit: move.to,
      branch: done.branch,
      carryPath: done.carryPath,
    },
  ];
  if (move.change === "same-content" && verdict && verdict.headCommit === move.from) {
    rows.push({
      at,
      run: verdict.run,
      status: "verified",
      source: "git-reconcile",
      stage: move.stage,
      verdict: verdict.verdict,
      reportPath: verdict.reportPath,
      headCommit: move.to,
    });
  }
  return rows;
}
