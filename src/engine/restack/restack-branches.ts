import { isAncestor } from "../../util/git.js";
import type { Logger } from "../../util/log.js";
import { MergeConflictError } from "../../workspace/errors.js";
import type { Workspace } from "../../workspace/workspace.js";
import { stageBaseBranch, stageBranch } from "../pull-requests/branch-names.js";

/** A stage as restacking sees it: its number and dependencies. */
export interface RestackStage {
  number: number;
  dependsOn: readonly number[];
}

export interface RestackedStage {
  stage: number;
  branch: string;
  from: string;
  to: string;
  /** The dependencies whose new heads were merged in. */
  merged: number[];
}

export interface RestackConflict {
  stage: number;
  branch: string;
  dependency: number;
  dependencyHead: string;
  paths: string[];
}

export interface RestackOutcome {
  restacked: RestackedStage[];
  conflicts: RestackConflict[];
}

/**
 * Brings stage branches up to date with their dependencies' heads (SPEC
 * §15.3): in dependency order, every done stage one of whose dependencies'
 * heads is not in its history gets a merge of those heads (`--no-ff`,
 * `chore(restack): merge stage D`, with okstra's trailers), pushed as a fast-forward of the head it had
 * — history is never rewritten, and a branch that moved meanwhile is not
 * overwritten (the push is refused). A conflict leaves that branch as it was
 * and is returned with its paths. A dependency already in the base branch
 * (merged) is not merged again: retargeting covers it.
 * `heads` holds the current head of every done stage's branch and is updated
 * as branches move, so a dependent of a restacked stage merges the new head.
 */
export async function restackBranches(
  workspace: Workspace,
  input: {
    issue: number;
    stages: readonly RestackStage[];
    heads: Map<number, string>;
    baseHead: string;
    /** Heads of the `okstra/<N>/s<S>-base` branches that exist (SPEC §15.4), by stage. */
    stageBases?: Map<number, string>;
    only?: number;
    log: Logger;
  },
): Promise<RestackOutcome> {
  const outcome: RestackOutcome = { restacked: [], conflicts: [] };
  for (const stage of dependencyOrder(input.stages)) {
    const head = input.heads.get(stage.number);
    if (head === undefined || (input.only !== undefined && stage.number !== input.only)) continue;
    const stageBase = input.stageBases?.get(stage.number);
    if (stageBase !== undefined) {
      await restackThroughBase(workspace, input, stage, head, stageBase, outcome);
      continue;
    }
    const behind = await dependenciesAhead(workspace, stage, head, input.heads, input.baseHead);
    if (behind.length === 0) continue;
    const branch = stageBranch(input.issue, stage.number);
    await workspace.checkoutNewBranch(branch, head);
    try {
      const to = await workspace.mergeInto(
        branch,
        behind.map((dep) => ({ ref: input.heads.get(dep)!, message: restackMessage(input.issue, stage.number, dep) })),
        { log: input.log },
      );
      await workspace.push(branch, { expectedRemoteHead: head, log: input.log });
      input.heads.set(stage.number, to);
      outcome.restacked.push({ stage: stage.number, branch, from: head, to, merged: behind });
    } catch (error) {
      if (!(error instanceof MergeConflictError)) throw error;
      outcome.conflicts.push(mergeConflict(stage, branch, behind, input.heads, error));
    }
  }
  return outcome;
}

/** The conflict a failed merge into `branch` means: the dependency whose head conflicted, else the first behind. */
function mergeConflict(
  stage: RestackStage,
  branch: string,
  behind: readonly number[],
  heads: ReadonlyMap<number, string>,
  error: MergeConflictError,
  merged = "",
): RestackConflict {
  const dependency = behind.find((dep) => heads.get(dep) === error.head) ?? behind[0] ?? stage.dependsOn[0]!;
  return {
    stage: stage.number,
    branch,
    dependency,
    dependencyHead: heads.get(dependency) ?? merged,
    paths: error.paths,
  };
}

/**
 * A stage based on `okstra/<N>/s<S>-base` (SPEC §15.4): the new dependency
 * heads are merged into that branch first, then the branch into the stage, so
 * `s<S>-base..s<S>` stays the stage's own commits plus okstra's one merge of
 * its base. Both move forward in one atomic push, each leased to its head;
 * when the stage's merge conflicts, the base alone goes forward.
 */
async function restackThroughBase(
  workspace: Workspace,
  input: { issue: number; heads: Map<number, string>; baseHead: string; stageBases?: Map<number, string>; log: Logger },
  stage: RestackStage,
  head: string,
  stageBase: string,
  outcome: RestackOutcome,
): Promise<void> {
  const baseName = stageBaseBranch(input.issue, stage.number);
  const branch = stageBranch(input.issue, stage.number);
  const behind = await dependenciesAhead(workspace, stage, stageBase, input.heads, input.baseHead);
  let newBase = stageBase;
  if (behind.length > 0) {
    await workspace.checkoutNewBranch(baseName, stageBase);
    try {
      const merges = behind.map((dep) => ({
        ref: input.heads.get(dep)!,
        message: restackMessage(input.issue, stage.number, dep),
      }));
      newBase = await workspace.mergeInto(baseName, merges, { log: input.log });
    } catch (error) {
      if (!(error instanceof MergeConflictError)) throw error;
      outcome.conflicts.push(mergeConflict(stage, branch, behind, input.heads, error));
      return;
    }
  }
  const base = newBase === stageBase ? [] : [{ branch: baseName, expectedRemoteHead: stageBase }];
  const pushBaseAlone = async () => {
    if (base.length > 0) await workspace.push(baseName, { ...base[0]!, log: input.log });
    input.stageBases?.set(stage.number, newBase);
  };
  if (await isAncestor(workspace.dir, newBase, head)) return pushBaseAlone();
  await workspace.checkoutNewBranch(branch, head);
  let to: string;
  try {
    const what = behind.length > 0 ? `stage ${behind.join(", ")} (through ${baseName})` : baseName;
    const message = `chore(restack): merge ${what}\n\nOkstra-Task: #${input.issue}\nOkstra-Stage: ${stage.number}`;
    to = await workspace.mergeInto(branch, [{ ref: newBase, message }], { log: input.log });
  } catch (error) {
    if (!(error instanceof MergeConflictError)) throw error;
    outcome.conflicts.push(mergeConflict(stage, branch, behind, input.heads, error, newBase));
    return pushBaseAlone();
  }
  await workspace.push(branch, { expectedRemoteHead: head, alongside: base, log: input.log });
  input.stageBases?.set(stage.number, newBase);
  input.heads.set(stage.number, to);
  outcome.restacked.push({ stage: stage.number, branch, from: head, to, merged: behind });
}

/** The dependencies whose heads `head` lacks, leaving out those already merged into the base. */
async function dependenciesAhead(
  workspace: Workspace,
  stage: RestackStage,
  head: string,
  heads: Map<number, string>,
  baseHead: string,
): Promise<number[]> {
  const behind: number[] = [];
  for (const dep of stage.dependsOn) {
    const depHead = heads.get(dep);
    if (depHead === undefined || (await isAncestor(workspace.dir, depHead, head))) continue;
    if (await isAncestor(workspace.dir, depHead, baseHead)) continue;
    behind.push(dep);
  }
  return behind;
}

/** Stages with every dependency before them (ties by number); the plan validator has ruled out cycles. */
export function dependencyOrder<T extends RestackStage>(stages: readonly T[]): T[] {
  const remaining = [...stages].sort((a, b) => a.number - b.number);
  const placed = new Set<number>();
  const known = new Set(stages.map((s) => s.number));
  const order: T[] = [];
  while (remaining.length > 0) {
    const index = remaining.findIndex((s) => s.dependsOn.every((d) => placed.has(d) || !known.has(d)));
    const [next] = remaining.splice(Math.max(index, 0), 1);
    order.push(next!);
    placed.add(next!.number);
  }
  return order;
}

/** A Conventional Commit with okstra's trailers (SPEC §6.3), so a later revise's own checks accept the stage's history. */
function restackMessage(issue: number, stage: number, dependency: number): string {
  return `chore(restack): merge stage ${dependency}\n\nOkstra-Task: #${issue}\nOkstra-Stage: ${stage}`;
}
