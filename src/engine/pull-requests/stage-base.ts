import type { StageState, TaskLedger } from "../../ledger/index.js";
import type { Platform, PullRequestInfo } from "../../platform/types.js";
import type { PlanStage } from "../../plan/plan-schema.js";
import { stageBaseBranch, stageBranch } from "./branch-names.js";

/**
 * Which branch a stage PR is based on (SPEC §15.4), so that its commits are
 * exactly the stage's own:
 *   - no unmerged dependency → the task's base branch;
 *   - one → that dependency's branch (the stage branch started from its head);
 *   - several → `okstra/<N>/s<S>-base`, the merge of their heads the stage
 *     branch started from (the carry's `stageCommitRange.base`). A stage that
 *     has such a branch keeps it while any dependency is unmerged: its history
 *     holds that merge, which no single dependency branch does.
 */
export type StageBase =
  | { kind: "task"; branch: string }
  | { kind: "dependency"; branch: string; dependency: number }
  | { kind: "combined"; branch: string; dependencies: number[] };

export function chooseStageBase(input: {
  issue: number;
  baseBranch: string;
  stage: number;
  unmerged: readonly number[];
  dependencyBranch: (dependency: number) => string;
  combinedExists: boolean;
}): StageBase {
  const { unmerged } = input;
  if (unmerged.length === 0) return { kind: "task", branch: input.baseBranch };
  if (unmerged.length > 1 || input.combinedExists) {
    return { kind: "combined", branch: stageBaseBranch(input.issue, input.stage), dependencies: [...unmerged] };
  }
  return { kind: "dependency", branch: input.dependencyBranch(unmerged[0]!), dependency: unmerged[0]! };
}

/** The stage's own PR as the ledger last recorded it. */
export function lastStagePr(state: StageState | undefined): number | undefined {
  return state?.prs.filter((row) => row.kind === "stage").at(-1)?.number;
}

/**
 * The dependencies whose stage PR is not merged. A dependency with no stage
 * PR counts as unmerged. `known` holds PRs the caller already read, so none
 * is read twice; `read` is how the others are read (a caller's read-once reader).
 */
export async function unmergedDependencies(
  platform: Platform,
  task: TaskLedger,
  dependsOn: readonly number[],
  known: ReadonlyMap<number, PullRequestInfo> = new Map(),
  read: (number: number) => Promise<PullRequestInfo> = (number) => platform.getPullRequest(number),
): Promise<number[]> {
  const states = new Map(task.state.stages.map((s) => [s.stage, s]));
  const unmerged: number[] = [];
  for (const dependency of dependsOn) {
    const number = lastStagePr(states.get(dependency));
    const pr = known.get(dependency) ?? (number === undefined ? undefined : await read(number));
    if (!pr?.merged) unmerged.push(dependency);
  }
  return unmerged;
}

/**
 * The base of a stage's PR now, creating `okstra/<N>/s<S>-base` at the merge
 * the stage branch started from when the stage needs it and it does not exist
 * yet. Only a stage with several dependencies ever asks whether it exists.
 */
export async function resolveStageBase(input: {
  platform: Platform;
  task: TaskLedger;
  stage: Pick<PlanStage, "number" | "dependsOn">;
  known?: ReadonlyMap<number, PullRequestInfo>;
}): Promise<StageBase> {
  const { platform, task, stage } = input;
  const states = new Map(task.state.stages.map((s) => [s.stage, s]));
  const unmerged = await unmergedDependencies(platform, task, stage.dependsOn, input.known);
  const combined = stageBaseBranch(task.issue, stage.number);
  const existing = stage.dependsOn.length > 1 && unmerged.length > 0 ? await platform.getBranchHead(combined) : null;
  const base = chooseStageBase({
    issue: task.issue,
    baseBranch: task.meta.baseBranch,
    stage: stage.number,
    unmerged,
    dependencyBranch: (d) => states.get(d)?.done?.branch ?? stageBranch(task.issue, d),
    combinedExists: existing !== null,
  });
  if (base.kind === "combined" && existing === null) {
    const start = task.carries.find((c) => c.carry.stage === stage.number)?.carry.stageCommitRange.base;
    if (!start) throw new Error(`stage ${stage.number} has no carry: its base branch ${combined} cannot be made`);
    await platform.createBranch(combined, start);
  }
  return base;
}
