import { git } from "../../util/git.js";
import { MergeConflictError, type Workspace } from "../../workspace/index.js";

/**
 * Assembly of a stage group (SPEC §7.2) in a run's workspace: the collector
 * branch starts at the base head, and each selected stage's verified head is
 * merged into it in ascending order, `--no-ff`, one merge commit per stage
 * (`merge: stage S`), so the group PR's history shows which merge brought
 * which stage. Nothing is pushed here.
 */

export interface GroupMember {
  stage: number;
  /** The verified `done.headCommit`. */
  head: string;
  /** Where the stage's own commits start (its carry's range base), to tell which files it touched itself. */
  ownBase?: string;
}

export interface GroupMerge {
  stage: number;
  /** The stage head that was merged. */
  head: string;
  /** The merge commit on the collector branch. */
  commit: string;
}

export interface AssembledGroup {
  branch: string;
  baseCommit: string;
  head: string;
  merges: GroupMerge[];
}

/** A stage's merge conflicted; the collector branch was put back and nothing was pushed. */
export class GroupConflictError extends Error {
  constructor(
    /** The stage whose merge conflicted. */
    readonly stage: number,
    readonly paths: string[],
    /** Already-merged stages that touched the conflicting paths; empty when the conflict is with the base itself. */
    readonly withStages: number[],
  ) {
    super(
      `merging stage ${stage} conflicts ${withStages.length > 0 ? `with stage ${withStages.join(", ")}` : "with the base"} in ${paths.join(", ")}`,
    );
    this.name = "GroupConflictError";
  }
}

export async function assembleGroup(
  workspace: Workspace,
  input: { branch: string; baseCommit: string; members: readonly GroupMember[] },
): Promise<AssembledGroup> {
  await workspace.checkoutNewBranch(input.branch, input.baseCommit);
  const members = [...input.members].sort((a, b) => a.stage - b.stage);
  const merges: GroupMerge[] = [];
  for (const member of members) {
    try {
      const commit = await workspace.mergeInto(input.branch, [
        { ref: member.head, message: `merge: stage ${member.stage}` },
      ]);
      merges.push({ stage: member.stage, head: member.head, commit });
    } catch (error) {
      if (!(error instanceof MergeConflictError)) throw error;
      const merged = members.filter((m) => merges.some((done) => done.stage === m.stage));
      throw new GroupConflictError(
        member.stage,
        error.paths,
        await stagesTouching(workspace.dir, merged, error.paths, input.baseCommit),
      );
    }
  }
  return { branch: input.branch, baseCommit: input.baseCommit, head: await workspace.headCommit(), merges };
}

/** The already-merged stages whose own changes include any of `paths`. */
async function stagesTouching(
  dir: string,
  merged: readonly GroupMember[],
  paths: readonly string[],
  baseCommit: string,
): Promise<number[]> {
  const touching: number[] = [];
  for (const member of merged) {
    // Without a carry range, everything the stage brings over the base counts as its change.
    const from = member.ownBase ?? (await git(["merge-base", baseCommit, member.head], { cwd: dir })).stdout.trim();
    const changed = (
      await git(["diff", "--name-only", "-z", "--no-renames", from, member.head, "--"], { cwd: dir })
    ).stdout
      .split("\0")
      .filter(Boolean);
    if (changed.some((path) => paths.includes(path))) touching.push(member.stage);
  }
  return touching;
}

/**
 * When the collector branch already exists on the remote (a run that
 * stopped after its push, or a group PR closed and shipped again), it is
 * reused only if it holds exactly what this assembly built: the same tree,
 * with the base and every stage head in its history. Its own merge commits
 * are then the ones to report. Null: it holds something else.
 */
export async function matchingRemoteGroup(
  dir: string,
  assembled: AssembledGroup,
  remoteHead: string,
): Promise<AssembledGroup | null> {
  const tree = async (commit: string) => (await git(["rev-parse", `${commit}^{tree}`], { cwd: dir })).stdout.trim();
  if ((await tree(remoteHead)) !== (await tree(assembled.head))) return null;
  for (const commit of [assembled.baseCommit, ...assembled.merges.map((m) => m.head)]) {
    const contained = await git(["merge-base", "--is-ancestor", commit, remoteHead], { cwd: dir, allowFailure: true });
    if (contained.exitCode !== 0) return null;
  }
  const log = await git(["log", "--first-parent", "--format=%H%x09%s", `${assembled.baseCommit}..${remoteHead}`], {
    cwd: dir,
  });
  const subjects = new Map(
    log.stdout
      .split("\n")
      .filter(Boolean)
      .map((line) => {
        const [sha, subject] = line.split("\t");
        return [subject!, sha!] as const;
      }),
  );
  const merges = assembled.merges.map((m) => ({ ...m, commit: subjects.get(`merge: stage ${m.stage}`) ?? m.commit }));
  return { ...assembled, head: remoteHead, merges };
}
