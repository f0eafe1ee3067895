import { coveringGroup, LEDGER_BRANCH, type StageState, type TaskLedger } from "../../ledger/index.js";
import type { Platform } from "../../platform/types.js";
import type { StageSelection } from "../../commands/types.js";
import type { PlanStage } from "../../plan/plan-schema.js";
import { CommandRefusal } from "../refusal.js";
import { eligibleStages, requestedStages, type CoveredStage, type ShipCandidate } from "./eligibility.js";

/**
 * Step 2 of a ship: the rules of eligibility.ts applied to what the platform
 * shows now — the base's head, which group PRs were closed without being
 * merged (they ship nothing any more), and each stage branch's current head.
 * Refusals are thrown as CommandRefusal.
 */

export interface ShipSelection {
  baseCommit: string;
  candidates: ShipCandidate[];
  /** Stages `all` left out as already shipped. */
  skipped: CoveredStage[];
  closedGroups: Set<number>;
  /** Each stage an open (or merged) group PR ships, with that PR's collector branch. */
  shippedIn: Map<number, { group: number; branch: string }>;
}

const USAGE = "/okstra ship STAGES [--base BRANCH]";

export async function selectStages(input: {
  platform: Platform;
  task: TaskLedger;
  stages: readonly PlanStage[];
  selection: StageSelection;
  base: string;
}): Promise<ShipSelection> {
  const { platform, task, base } = input;
  if (base === LEDGER_BRANCH)
    throw new CommandRefusal(`\`${LEDGER_BRANCH}\` holds okstra's ledger; nothing ships onto it.`, USAGE);
  const baseCommit = await platform.getBranchHead(base);
  if (!baseCommit) throw new CommandRefusal(`the base branch \`${base}\` does not exist.`, USAGE);

  const closedGroups = await closedGroupPrs(platform, task);
  const requested = requestedStages({
    planStages: input.stages,
    states: task.state.stages,
    selection: input.selection,
    closedGroups,
  });
  if (!requested.ok) throw new CommandRefusal(requested.problem, requested.instead);
  const heads = await branchHeads(platform, task.state.stages, requested.value.stages);
  const eligible = eligibleStages({ stages: requested.value.stages, states: task.state.stages, branchHeads: heads });
  if (!eligible.ok) throw new CommandRefusal(eligible.problem, eligible.instead);
  return {
    baseCommit,
    candidates: eligible.value,
    skipped: requested.value.skipped,
    closedGroups,
    shippedIn: shippedIn(task, closedGroups),
  };
}

async function closedGroupPrs(platform: Platform, task: TaskLedger): Promise<Set<number>> {
  const numbers = new Set(
    task.state.stages.flatMap((s) => s.prs.filter((pr) => pr.kind === "group").map((pr) => pr.number)),
  );
  const closed = new Set<number>();
  for (const number of numbers) {
    const pr = await platform.getPullRequest(number);
    if (pr.state === "closed" && !pr.merged) closed.add(number);
  }
  return closed;
}

function shippedIn(
  task: TaskLedger,
  closedGroups: ReadonlySet<number>,
): Map<number, { group: number; branch: string }> {
  const shipped = new Map<number, { group: number; branch: string }>();
  for (const state of task.state.stages) {
    const row = coveringGroup(state.prs, closedGroups);
    if (row) shipped.set(state.stage, { group: row.number, branch: row.branch });
  }
  return shipped;
}

/** So that a commit pushed onto a stage branch after verification is noticed. */
async function branchHeads(
  platform: Platform,
  states: readonly StageState[],
  stages: readonly number[],
): Promise<Map<number, string | null>> {
  const heads = new Map<number, string | null>();
  for (const stage of stages) {
    const done = states.find((s) => s.stage === stage)?.done;
    if (done) heads.set(stage, await platform.getBranchHead(done.branch));
  }
  return heads;
}
