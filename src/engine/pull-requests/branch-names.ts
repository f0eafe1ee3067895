/**
 * Every branch name okstra makes, and reads back (SPEC §6.2, §7.2, §15.4):
 * a stage branch `okstra/<N>/s<S>`, a stage's base branch `okstra/<N>/s<S>-base`
 * (the merge of its dependencies' heads), a collector branch
 * `okstra/<N>/group-<S>-<S>…`, and a verification run's local branch. The
 * webhook handler and the engine both recognise okstra's pull requests by
 * these names, so building and parsing live in one place.
 */

export type OkstraBranch =
  | { kind: "stage"; task: number; stage: number }
  | { kind: "group"; task: number; stages: number[] };

const STAGE = /^okstra\/([1-9]\d*)\/s([1-9]\d*)$/;
const GROUP = /^okstra\/([1-9]\d*)\/group-([1-9]\d*(?:-[1-9]\d*)*)$/;

export function parseOkstraBranch(branch: string): OkstraBranch | null {
  const stage = STAGE.exec(branch);
  if (stage) return { kind: "stage", task: Number(stage[1]), stage: Number(stage[2]) };
  const group = GROUP.exec(branch);
  if (group) return { kind: "group", task: Number(group[1]), stages: group[2]!.split("-").map(Number) };
  return null;
}

/** The collector branch of a group: its stages ascending, joined by `-`. */
export function groupBranch(issue: number, stages: readonly number[]): string {
  return `okstra/${issue}/group-${[...stages].sort((a, b) => a - b).join("-")}`;
}

/** A stage's branch, the head of its PR. */
export function stageBranch(issue: number, stage: number): string {
  return `okstra/${issue}/s${stage}`;
}

/** The branch okstra keeps as the merge of a stage's dependencies' heads (SPEC §15.4); never a PR head. */
export function stageBaseBranch(issue: number, stage: number): string {
  return `okstra/${issue}/s${stage}-base`;
}

/** The local branch a verification run combines its stage heads on; never pushed. */
export function verifyBranch(run: string): string {
  return `okstra/verify/${run}`;
}
