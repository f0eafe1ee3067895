import type { ShipPreflight, TaskLedger } from "../../ledger/index.js";
import type { Workspace } from "../../workspace/workspace.js";
import { assembleGroup, GroupConflictError, type GroupMember } from "../handoff/assemble-group.js";
import type { VerificationSubject } from "./review-context.js";
import type { StageVerdict } from "./verdict.js";

/**
 * The ship preflight (SPEC §7.2, §9.5): after a verification run, would the
 * task's accepted stages ship together? It assembles them exactly as `ship`
 * does (`assembleGroup`, `--no-ff` merges in stage order on the implementation
 * base) on a local branch of the verification clone — nothing is pushed. A
 * stage whose merge conflicts is set aside and the others go on, so every
 * conflicting pair is named, not only the first.
 *
 * The result rides on the run's `verified` rows (`shipPreflight`); the latest
 * one is what `/okstra status`, the check runs and the stage PRs say.
 */

export type { ShipPreflight } from "../../ledger/index.js";

/** The stages accepted at their current head once this run's verdicts count: earlier runs' and this one's. */
export function acceptedMembers(
  task: TaskLedger,
  subjects: readonly VerificationSubject[],
  verdicts: readonly StageVerdict[],
): GroupMember[] {
  const ownBase = new Map(task.carries.map((c) => [c.carry.stage, c.carry.stageCommitRange.base] as const));
  const judged = new Set(subjects.map((s) => s.stage.number));
  const members: GroupMember[] = [];
  for (const s of task.state.stages) {
    if (judged.has(s.stage) || !s.done || !s.verdictCurrent || s.verdict?.verdict !== "accepted") continue;
    members.push({ stage: s.stage, head: s.done.headCommit, ownBase: ownBase.get(s.stage) });
  }
  for (const subject of subjects) {
    if (verdicts.find((v) => v.stage === subject.stage.number)?.verdict !== "accepted") continue;
    const { stage, done, carry } = subject;
    members.push({ stage: stage.number, head: done.headCommit, ownBase: carry.stageCommitRange.base });
  }
  return members.sort((a, b) => a.stage - b.stage);
}

export async function shipPreflight(
  workspace: Workspace,
  input: { run: string; baseCommit: string; members: readonly GroupMember[] },
): Promise<ShipPreflight> {
  const stages = input.members.map((m) => m.stage);
  const conflicts: ShipPreflight["conflicts"] = [];
  if (input.members.length < 2) return { stages, conflicts };
  let remaining = [...input.members];
  // One merge conflict per pass: the stage that conflicted is left out and the rest assembled again.
  while (remaining.length > 1) {
    try {
      const branch = `okstra/preflight/${input.run}`;
      await assembleGroup(workspace, { branch, baseCommit: input.baseCommit, members: remaining });
      break;
    } catch (error) {
      if (!(error instanceof GroupConflictError)) throw error;
      const stages = [...new Set([...error.withStages, error.stage])].sort((a, b) => a - b);
      conflicts.push({ stages, paths: error.paths });
      remaining = remaining.filter((m) => m.stage !== error.stage);
    }
  }
  return { stages, conflicts };
}

/** The stages a preflight says conflict, ascending. */
export function conflictingStages(preflight: ShipPreflight | null): number[] {
  return [...new Set((preflight?.conflicts ?? []).flatMap((c) => c.stages))].sort((a, b) => a - b);
}
