import type { StageSelection } from "../../commands/types.js";
import { coveringGroup, type DoneRow, type StageState, type VerifiedRow } from "../../ledger/index.js";

/**
 * Which stages a `/okstra ship` may take (SPEC §7.2), decided from the ledger
 * alone — pure, so the rules read in one place and are tested without git:
 *   1. `requestedStages`: the stages the command names (`all` = every plan
 *      stage not yet covered by a group PR), refusing stages the plan does
 *      not have and, for an explicit list, stages already shipped;
 *   2. `eligibleStages`: each one has an effective `done`, and its last
 *      verdict is `accepted` at the current `done.headCommit` — which must
 *      also still be the branch's head, or the verdict is for an older head.
 * Every refusal names the stages and the reason.
 */

export type ShipCheck<T> = { ok: true; value: T } | { ok: false; problem: string; instead?: string };

export interface CoveredStage {
  stage: number;
  /** The group PR that ships it. */
  group: number;
}

export interface RequestedStages {
  stages: number[];
  /** Stages `all` left out because a group PR already ships them. */
  skipped: CoveredStage[];
}

/** The last group PR that covers a stage (a ledger derivation: ship claims decide on it too). */

export function requestedStages(input: {
  planStages: readonly { number: number }[];
  states: readonly StageState[];
  selection: StageSelection;
  closedGroups?: ReadonlySet<number>;
}): ShipCheck<RequestedStages> {
  const known = input.planStages.map((s) => s.number).sort((a, b) => a - b);
  const states = new Map(input.states.map((s) => [s.stage, s]));
  const covered = (stage: number): CoveredStage | null => {
    const row = coveringGroup(states.get(stage)?.prs ?? [], input.closedGroups);
    return row ? { stage, group: row.number } : null;
  };

  if (input.selection.kind === "all") {
    const skipped = known.map(covered).filter((c): c is CoveredStage => c !== null);
    const stages = known.filter((s) => !skipped.some((c) => c.stage === s));
    if (stages.length === 0)
      return {
        ok: false,
        problem: `every stage of the plan is already shipped: ${describeCovered(skipped)}.`,
        instead: "Review and merge those group PRs; `/okstra status` lists them.",
      };
    return { ok: true, value: { stages, skipped } };
  }

  const stages = [...new Set(input.selection.stages)].sort((a, b) => a - b);
  const unknown = stages.filter((s) => !known.includes(s));
  if (unknown.length > 0) {
    return {
      ok: false,
      problem: `the plan has no ${plural("stage", unknown)} ${unknown.join(", ")}; its stages are ${known.join(", ")}.`,
      instead: "/okstra ship STAGES [--base BRANCH]",
    };
  }
  const shipped = stages.map(covered).filter((c): c is CoveredStage => c !== null);
  if (shipped.length > 0) {
    return {
      ok: false,
      problem: `${describeCovered(shipped, "already shipped in")}: a stage ships in one group PR only.`,
      instead: "Review and merge that group PR, or ship the other stages without it.",
    };
  }
  return { ok: true, value: { stages, skipped: [] } };
}

/** A stage that may ship: the commit that ships is the verified `done` head. */
export interface ShipCandidate {
  stage: number;
  done: DoneRow;
  verdict: VerifiedRow;
}

type Ineligible = { stage: number; reason: string };

function ineligibility(state: StageState | undefined, branchHead: string | null | undefined): string | null {
  const done = state?.done;
  if (!done) return "is not done";
  const verdict = state.verdict;
  if (!verdict) return "is not verified yet";
  if (verdict.headCommit !== done.headCommit)
    return `verdict is for an older head (verified at \`${short(verdict.headCommit)}\`, done at \`${short(done.headCommit)}\`)`;
  // A commit pushed onto the stage branch after verification is not what was verified.
  if (branchHead !== undefined && branchHead !== done.headCommit) {
    return branchHead === null
      ? `branch \`${done.branch}\` no longer exists`
      : `verdict is for an older head (verified at \`${short(done.headCommit)}\`, branch \`${done.branch}\` is now at \`${short(branchHead)}\`)`;
  }
  if (verdict.verdict !== "accepted") return `verdict is \`${verdict.verdict}\`, not \`accepted\``;
  return null;
}

/**
 * `branchHeads`: each stage branch's current head on the platform (null: gone).
 * A stage missing from the map is judged on the ledger alone.
 */
export function eligibleStages(input: {
  stages: readonly number[];
  states: readonly StageState[];
  branchHeads?: ReadonlyMap<number, string | null>;
}): ShipCheck<ShipCandidate[]> {
  const states = new Map(input.states.map((s) => [s.stage, s]));
  const refused: Ineligible[] = [];
  const candidates: ShipCandidate[] = [];
  for (const stage of [...input.stages].sort((a, b) => a - b)) {
    const state = states.get(stage);
    const reason = ineligibility(state, input.branchHeads?.get(stage));
    if (reason) refused.push({ stage, reason });
    else candidates.push({ stage, done: state!.done!, verdict: state!.verdict! });
  }
  if (refused.length === 0) return { ok: true, value: candidates };
  return {
    ok: false,
    problem: `${describeIneligible(refused)}. Only stages that are done and verified \`accepted\` at their current head can ship.`,
    instead: "`/okstra verify --stage N` re-verifies a stage at its current head; `/okstra status` shows every stage.",
  };
}

/** Stages with the same reason share one clause: "stages 3, 4 are not done; stage 2: verdict is …". */
function describeIneligible(refused: readonly Ineligible[]): string {
  const byReason = new Map<string, number[]>();
  for (const { stage, reason } of refused) byReason.set(reason, [...(byReason.get(reason) ?? []), stage]);
  return [...byReason]
    .map(([reason, stages]) =>
      reason.startsWith("is ")
        ? `${plural("stage", stages)} ${stages.join(", ")} ${stages.length > 1 ? reason.replace(/^is /, "are ") : reason}`
        : `${plural("stage", stages)} ${stages.join(", ")}: ${reason}`,
    )
    .join("; ");
}

/** "stages 1, 2 in #5; stage 3 in #7", or with a lead-in "stages 1, 2 are already shipped in #5". */
export function describeCovered(covered: readonly CoveredStage[], leadIn?: string): string {
  const byGroup = new Map<number, number[]>();
  for (const { stage, group } of covered) byGroup.set(group, [...(byGroup.get(group) ?? []), stage]);
  return [...byGroup]
    .map(([group, stages]) => {
      const name = `${plural("stage", stages)} ${stages.join(", ")}`;
      return leadIn ? `${name} ${stages.length > 1 ? "are" : "is"} ${leadIn} #${group}` : `${name} in #${group}`;
    })
    .join("; ");
}

export function plural(word: string, items: readonly unknown[]): string {
  return items.length === 1 ? word : `${word}s`;
}

function short(sha: string): string {
  return sha.slice(0, 7);
}
