import { git, isAncestor } from "../../util/git.js";
import type { Logger } from "../../util/log.js";
import { MergeConflictError, PushRejectedError } from "../../workspace/errors.js";
import type { Workspace } from "../../workspace/workspace.js";
import { dependencyOrder, type RestackStage } from "../restack/restack-branches.js";
import { stageBaseBranch, stageBranch } from "./branch-names.js";

/**
 * After a dependency was squash- or rebase-merged (SPEC §15.4), its original
 * commits are in no branch a dependent PR can be based on, so `base..head`
 * would show them again. As GitHub's own stacks do (`git rebase --onto`), each
 * dependent's own commits are replayed onto its new base, in dependency order:
 *
 *   git rebase --onto <new base> <old base> <stage branch>
 *
 * where the old base is what the stage sits on now (the merged dependency's
 * head, another rewritten stage's old head, or its `s<S>-base`) and the new
 * one is the task base branch, the rewritten dependency, or a rebuilt
 * `s<S>-base` (the merge of its unmerged dependencies' new heads). The push
 * is leased to the head the ledger records (a branch someone moved since is
 * left alone) and keeps the old head reachable under
 * `refs/okstra/<N>/superseded/s<S>-<sha>`. A conflict pushes nothing for that
 * stage and its dependents.
 */

export interface ReplayStage extends RestackStage {
  /** The stage head the ledger records: the lease. */
  head: string;
  /** Whether the stage's PR is merged (its work is in the base branch): never rewritten, never a base. */
  merged: boolean;
}

export interface ReplayedStage {
  stage: number;
  from: string;
  to: string;
  /** The branch its PR is to be based on now. */
  base: string;
}

export interface ReplayConflict {
  stage: number;
  dependency: number;
  dependencyHead: string;
  paths: string[];
}

export interface ReplayOutcome {
  replayed: ReplayedStage[];
  conflicts: ReplayConflict[];
  /** Stages left as they were because their branch moved past the ledger's head. */
  moved: number[];
}

export async function replayDependents(
  workspace: Workspace,
  input: {
    issue: number;
    stages: readonly ReplayStage[];
    /** The stage just merged, and its head as it was merged. */
    merged: { stage: number; head: string };
    baseHead: string;
    baseBranch: string;
    /** Current heads of `s<S>-base` branches, by stage. */
    stageBases: ReadonlyMap<number, string>;
    log: Logger;
  },
): Promise<ReplayOutcome> {
  const outcome: ReplayOutcome = { replayed: [], conflicts: [], moved: [] };
  // Old and new tip of every stage that moved (or was merged): what dependents were on, and go onto.
  const oldTips = new Map<number, string>([[input.merged.stage, input.merged.head]]);
  const newTips = new Map<number, string>([[input.merged.stage, input.baseHead]]);
  const byNumber = new Map(input.stages.map((s) => [s.number, s]));
  for (const stage of dependencyOrder(input.stages)) {
    if (stage.merged || !stage.dependsOn.some((d) => newTips.has(d))) continue;
    const unmerged = stage.dependsOn.filter((d) => d !== input.merged.stage && byNumber.get(d)?.merged === false);
    const combined = input.stageBases.get(stage.number);
    const oldBase = combined ?? (stage.dependsOn.length === 1 ? oldTips.get(stage.dependsOn[0]!) : undefined);
    if (oldBase === undefined) {
      // Several dependencies and no `s<S>-base`: a PR opened before §15.4, on the task base; nothing to replay from.
      input.log.warn({ stage: stage.number }, "stage has several dependencies and no base branch; not replayed");
      continue;
    }
    if (combined !== undefined && !(await isAncestor(workspace.dir, combined, stage.head))) {
      // Someone pushed to `s<S>-base` past what the stage was built on: neither branch is okstra's to rewrite.
      input.log.warn({ stage: stage.number }, "stage base branch moved past the ledger's head; not rewritten");
      outcome.moved.push(stage.number);
      continue;
    }
    const tipOf = (d: number) => newTips.get(d) ?? byNumber.get(d)!.head;
    const target = await newBase(workspace, input, stage, unmerged, tipOf, combined);
    if (target.kind === "conflict") {
      outcome.conflicts.push({
        stage: stage.number,
        dependency: target.dependency,
        dependencyHead: tipOf(target.dependency),
        paths: target.paths,
      });
      continue;
    }
    const replayed = await replayOnto(workspace, input.issue, stage, oldBase, target.commit);
    if (replayed.kind === "conflict") {
      outcome.conflicts.push({
        stage: stage.number,
        dependency: input.merged.stage,
        dependencyHead: target.commit,
        paths: replayed.paths,
      });
      continue;
    }
    try {
      // The stage branch and its rebuilt `s<S>-base` move together or not at all: either alone
      // would put the PR's base and head on different histories.
      const base =
        target.kind === "combined"
          ? [await rewriteOf(workspace, input.issue, stageBaseBranch(input.issue, stage.number), combined ?? null)]
          : [];
      const branch = stageBranch(input.issue, stage.number);
      await workspace.push(branch, {
        ...(await rewriteOf(workspace, input.issue, branch, stage.head)),
        alongside: base,
        log: input.log,
      });
    } catch (error) {
      if (!(error instanceof PushRejectedError)) throw error;
      input.log.warn(
        { stage: stage.number, reason: error.message },
        "stage branch moved since the ledger's head; not rewritten",
      );
      outcome.moved.push(stage.number);
      continue;
    }
    oldTips.set(stage.number, stage.head);
    newTips.set(stage.number, replayed.head);
    outcome.replayed.push({ stage: stage.number, from: stage.head, to: replayed.head, base: target.branch });
  }
  return outcome;
}

type NewBase =
  | { kind: "task" | "dependency" | "combined"; commit: string; branch: string }
  | { kind: "conflict"; dependency: number; paths: string[] };

/**
 * Where the stage goes: the task base when no dependency is left unmerged,
 * the one left when the stage never had a `s<S>-base`, else its `s<S>-base`
 * rebuilt as the merge of the unmerged dependencies' (new) heads.
 */
async function newBase(
  workspace: Workspace,
  input: { issue: number; baseHead: string; baseBranch: string; log: Logger },
  stage: ReplayStage,
  unmerged: readonly number[],
  tipOf: (dependency: number) => string,
  combined: string | undefined,
): Promise<NewBase> {
  const baseBranchName = stageBaseBranch(input.issue, stage.number);
  if (unmerged.length === 0) return { kind: "task", commit: input.baseHead, branch: input.baseBranch };
  if (combined === undefined && unmerged.length === 1)
    return { kind: "dependency", commit: tipOf(unmerged[0]!), branch: stageBranch(input.issue, unmerged[0]!) };
  await workspace.checkoutNewBranch(baseBranchName, tipOf(unmerged[0]!));
  try {
    const merges = unmerged.slice(1).map((d) => ({ ref: tipOf(d), message: `merge: stage ${d}` }));
    return {
      kind: "combined",
      commit: await workspace.mergeInto(baseBranchName, merges, { log: input.log }),
      branch: baseBranchName,
    };
  } catch (error) {
    if (!(error instanceof MergeConflictError)) throw error;
    const dependency = unmerged.find((d) => tipOf(d) === error.head) ?? unmerged[1]!;
    return { kind: "conflict", dependency, paths: error.paths };
  }
}

/** `git rebase --onto`, or the conflicting paths with the branch as it was. */
async function replayOnto(
  workspace: Workspace,
  issue: number,
  stage: ReplayStage,
  oldBase: string,
  onto: string,
): Promise<{ kind: "ok"; head: string } | { kind: "conflict"; paths: string[] }> {
  const branch = stageBranch(issue, stage.number);
  await workspace.checkoutNewBranch(branch, stage.head);
  const identity = [
    "-c",
    "user.name=okstra",
    "-c",
    "user.email=okstra@users.noreply.github.com",
    "-c",
    "commit.gpgSign=false",
  ];
  const rebase = await git([...identity, "rebase", "--quiet", "--no-autosquash", "--onto", onto, oldBase, branch], {
    cwd: workspace.dir,
    allowFailure: true,
  });
  if (rebase.exitCode === 0) return { kind: "ok", head: await workspace.headCommit() };
  const unmerged = await git(["diff", "--name-only", "--diff-filter=U"], { cwd: workspace.dir, allowFailure: true });
  await git(["rebase", "--abort"], { cwd: workspace.dir, allowFailure: true });
  const paths = unmerged.stdout.split("\n").filter(Boolean).sort();
  if (paths.length === 0) throw new Error(`rebasing ${branch} onto ${onto} failed: ${rebase.stderr.trim()}`);
  return { kind: "conflict", paths };
}

/**
 * A leased update of `branch` to its local head that may rewrite it, the replaced head kept under
 * `refs/okstra/<N>/superseded/…` (nothing to keep when it only moves forward or is new).
 */
async function rewriteOf(
  workspace: Workspace,
  issue: number,
  branch: string,
  expected: string | null,
): Promise<{ branch: string; expectedRemoteHead: string | null; rewrite?: { keep: string } }> {
  if (expected === null || (await isAncestor(workspace.dir, expected, await workspace.resolveCommit(branch))))
    return { branch, expectedRemoteHead: expected };
  const name = branch.slice(branch.lastIndexOf("/") + 1);
  return {
    branch,
    expectedRemoteHead: expected,
    rewrite: { keep: `refs/okstra/${issue}/superseded/${name}-${expected}` },
  };
}
