import type { Platform } from "../../platform/types.js";
import type { Logger } from "../../util/log.js";
import { UnknownRevisionError, type Workspace } from "../../workspace/index.js";
import { CommandRefusal } from "../refusal.js";
import { assembleGroup, GroupConflictError, matchingRemoteGroup, type AssembledGroup } from "./assemble-group.js";
import { groupBranch } from "../pull-requests/branch-names.js";
import { isAncestor } from "../../util/git.js";
import { dependencyGaps, describeGaps, type ClosureGap } from "./dependency-closure.js";
import { describeCovered, plural, type CoveredStage, type ShipCandidate } from "./eligibility.js";

/**
 * The git half of a ship, in the run's workspace checked out at the base head:
 *   1. stages whose verified head is already in the base are dropped (`all`)
 *      or refused (an explicit list) — there is nothing of them left to ship;
 *   2. dependency closure against the base head;
 *   3. assembly of the collector branch (a conflict refuses, nothing pushed);
 *   4. push, never forced — or reuse of the remote branch when it already
 *      holds exactly this assembly.
 */

export interface CollectedGroup {
  assembled: AssembledGroup;
  /** The stages that ship, ascending. */
  stages: ShipCandidate[];
  /** Stages of `all` left out because their work is already in the base. */
  alreadyInBase: number[];
  pushed: boolean;
}

export interface CollectInput {
  workspace: Workspace;
  platform: Platform;
  issue: number;
  base: string;
  baseCommit: string;
  selection: "all" | "list";
  candidates: readonly ShipCandidate[];
  planStages: readonly { number: number; dependsOn: readonly number[] }[];
  /** Each done stage's verified head, for the closure check of dependencies outside the selection. */
  doneHeads: ReadonlyMap<number, string>;
  /** Each stage's own commit range base (its carry), to name who touched a conflicting path. */
  ownBases: ReadonlyMap<number, string>;
  /** Stages an open group PR already ships (with its collector branch), for the way out of a closure refusal. */
  shippedIn: ReadonlyMap<number, { group: number; branch: string }>;
  /** What `all` left out as already shipped, said again when it is refused. */
  skipped: readonly CoveredStage[];
  log: Logger;
}

export async function collectGroup(input: CollectInput): Promise<CollectedGroup> {
  const { workspace, base, baseCommit } = input;
  const inBase = async (stage: number) => {
    const head = input.doneHeads.get(stage);
    if (!head) return false;
    try {
      await workspace.resolveCommit(head);
    } catch (error) {
      // A head no branch holds any more cannot be part of the base either.
      if (error instanceof UnknownRevisionError) return false;
      throw error;
    }
    return isAncestor(workspace.dir, head, baseCommit);
  };

  // 1. Nothing to ship for a stage the base already has.
  const alreadyInBase: number[] = [];
  for (const candidate of input.candidates) if (await inBase(candidate.stage)) alreadyInBase.push(candidate.stage);
  if (alreadyInBase.length > 0 && input.selection === "list") {
    throw new CommandRefusal(
      `${plural("stage", alreadyInBase)} ${alreadyInBase.join(", ")} ${alreadyInBase.length > 1 ? "are" : "is"} already in \`${base}\`: there is nothing of ${alreadyInBase.length > 1 ? "them" : "it"} left to ship.`,
      "Ship the other stages.",
    );
  }
  const stages = input.candidates.filter((c) => !alreadyInBase.includes(c.stage));
  if (stages.length === 0)
    throw new CommandRefusal(
      `every stage left to ship is already in \`${base}\` (${alreadyInBase.join(", ")}).`,
      "`/okstra status` shows every stage.",
    );

  // 2. Dependency closure.
  const gaps = await dependencyGaps({ planStages: input.planStages, selected: stages.map((s) => s.stage), inBase });
  if (gaps.length > 0)
    throw closureRefusal(
      input,
      gaps,
      stages.map((s) => s.stage),
    );

  // 3. Assembly.
  const branch = groupBranch(
    input.issue,
    stages.map((s) => s.stage),
  );
  if (branch === base)
    throw new CommandRefusal(
      `\`${base}\` is the collector branch of these stages itself; okstra never pushes to the base of a ship.`,
      "/okstra ship STAGES [--base BRANCH]",
    );
  let assembled: AssembledGroup;
  try {
    assembled = await assembleGroup(workspace, {
      branch,
      baseCommit,
      members: stages.map((s) => ({ stage: s.stage, head: s.done.headCommit, ownBase: input.ownBases.get(s.stage) })),
    });
  } catch (error) {
    if (!(error instanceof GroupConflictError)) throw error;
    throw new CommandRefusal(
      describeConflict(error, branch, base),
      "Ship the conflicting stages in separate groups, or `/okstra replan` so they stop touching the same lines.",
    );
  }

  // 4. Push, or reuse what is already there.
  const remoteHead = await input.platform.getBranchHead(branch);
  if (remoteHead === null) {
    await workspace.push(branch, { expectedRemoteHead: null });
    input.log.info({ branch, head: assembled.head }, "collector branch pushed");
    return { assembled, stages, alreadyInBase, pushed: true };
  }
  await workspace.resolveCommit(remoteHead);
  const existing = await matchingRemoteGroup(workspace.dir, assembled, remoteHead);
  if (!existing) {
    throw new CommandRefusal(
      `branch \`${branch}\` already exists at \`${remoteHead.slice(0, 12)}\` with other content than this ship assembles, and okstra never force-pushes.`,
      `Delete \`${branch}\` if nothing needs it, then comment the command again.`,
    );
  }
  input.log.info({ branch, head: remoteHead }, "collector branch already holds this assembly; reused");
  return { assembled: existing, stages, alreadyInBase, pushed: false };
}

/**
 * Names the gaps, and the way out: ship the missing stages too, merge them
 * into the base first — or, when an open group PR ships them, merge that PR
 * or stack this ship on its branch.
 */
function closureRefusal(input: CollectInput, gaps: readonly ClosureGap[], selected: readonly number[]): CommandRefusal {
  const missing = [...new Set(gaps.flatMap((g) => g.missing))].sort((a, b) => a - b);
  const left =
    input.skipped.length > 0
      ? `\`all\` leaves out what is already shipped (${describeCovered(input.skipped)}), and `
      : "";
  const groups = new Map<number, { branch: string; stages: number[] }>();
  for (const stage of missing) {
    const shipped = input.shippedIn.get(stage);
    if (shipped)
      groups.set(shipped.group, {
        branch: shipped.branch,
        stages: [...(groups.get(shipped.group)?.stages ?? []), stage],
      });
  }
  const [only] = groups.size === 1 && [...groups.values()][0]!.stages.length === missing.length ? [...groups] : [];
  const instead = only
    ? `${plural("Stage", missing)} ${missing.join(", ")} ${missing.length > 1 ? "ship" : "ships"} in #${only[0]}, not merged yet: merge it first, or stack this ship on its branch with \`/okstra ship ${selected.join(",")} --base ${only[1].branch}\`.`
    : `Ship ${plural("stage", missing)} ${missing.join(", ")} together with it, or merge ${missing.length > 1 ? "them" : "it"} into \`${input.base}\` first (\`--base\` can also name a branch that has them).`;
  return new CommandRefusal(`${left}${describeGaps(gaps, input.base)}.`, instead);
}

function describeConflict(error: GroupConflictError, branch: string, base: string): string {
  const paths = error.paths.map((p) => `\`${p}\``).join(", ");
  const other =
    error.withStages.length > 0
      ? `${plural("stage", error.withStages)} ${error.withStages.join(", ")}, merged before it,`
      : `\`${base}\``;
  return `merging stage ${error.stage} into \`${branch}\` conflicts with ${other} in ${paths}. Nothing was pushed.`;
}
