import type { Ledger, TaskLedger } from "../../ledger/index.js";
import type { Platform, PullRequestInfo } from "../../platform/types.js";
import type { Logger } from "../../util/log.js";
import { withWorkspace } from "../../workspace/workspace.js";
import type { Plan } from "../../plan/plan-schema.js";
import { noteConflictOnPullRequest, restackRows } from "../restack/restack-task.js";
import { stageBaseBranch, stageBranch } from "./branch-names.js";
import { replayDependents, type ReplayOutcome, type ReplayStage } from "./replay-dependents.js";
import { lastStagePr, unmergedDependencies } from "./stage-base.js";

/**
 * A stage PR was merged (SPEC §15.4), its dependents already retargeted off
 * its branch. Whether they need more depends on how it was merged:
 *   - a merge commit: the stage's head is in the base branch, so every
 *     dependent's `base..head` is still its own commits; nothing to do;
 *   - squash or rebase: the head is not in the base branch; the dependents'
 *     own commits are replayed onto their new bases (`replay-dependents.ts`),
 *     recorded as `done` rows (`source: "restack"`, so re-verified), their PRs
 *     based where the replay put them; a conflict is a `needs-restack` row
 *     with its paths, said on the PR.
 * Returns null when nothing had to be replayed.
 */
export async function settleDependentsAfterMerge(
  ports: { platform: Platform; ledger: Ledger },
  input: { task: TaskLedger; plan: Plan; stage: number; log: Logger },
): Promise<ReplayOutcome | null> {
  const { platform } = ports;
  const { task, plan, log } = input;
  // Each PR read once per merge: nothing but this pass changes them meanwhile, and it knows what it changed.
  const pullOf = readOnce(platform);
  const states = new Map(task.state.stages.map((s) => [s.stage, s]));
  const mergedHead = states.get(input.stage)?.done?.headCommit;
  const hasDependents = plan.stages.some((s) => s.dependsOn.includes(input.stage) && states.get(s.number)?.done);
  if (!mergedHead || !hasDependents) return null;
  const baseBranch = task.meta.baseBranch;
  const baseHead = await platform.getBranchHead(baseBranch);
  if (!baseHead) return null;
  const comparison = await platform.compareCommits(mergedHead, baseHead);
  if (comparison && (comparison.status === "ahead" || comparison.status === "identical")) {
    await retargetCombinedBases(platform, pullOf, task, plan, input.stage, log); // a merge commit
    return null;
  }

  const stages: ReplayStage[] = [];
  const prs = new Map<number, number>();
  const stageBases = new Map<number, string>();
  for (const stage of plan.stages) {
    const state = states.get(stage.number);
    if (!state?.done) continue;
    const pr = lastStagePr(state);
    if (pr !== undefined) prs.set(stage.number, pr);
    const merged = stage.number === input.stage || (pr !== undefined && (await pullOf(pr)).merged);
    stages.push({ number: stage.number, dependsOn: stage.dependsOn, head: state.done.headCommit, merged });
    const combined =
      stage.dependsOn.length > 1 && !merged
        ? await platform.getBranchHead(stageBaseBranch(task.issue, stage.number))
        : null;
    if (combined) stageBases.set(stage.number, combined);
  }

  const outcome = await withWorkspace(
    { remote: () => platform.gitRemote(), baseCommit: baseHead, runId: `merged-${task.issue}-s${input.stage}`, log },
    (workspace) =>
      replayDependents(workspace, {
        issue: task.issue,
        stages,
        merged: { stage: input.stage, head: mergedHead },
        baseHead,
        baseBranch,
        stageBases,
        log,
      }),
  );
  await record(ports, pullOf, input, outcome, prs);
  log.info(
    {
      stage: input.stage,
      replayed: outcome.replayed.map((r) => r.stage),
      conflicts: outcome.conflicts.map((c) => c.stage),
      moved: outcome.moved,
    },
    "dependents replayed after a squash or rebase merge",
  );
  return outcome;
}

/** A reader that asks the forge for each PR once. */
function readOnce(platform: Platform): (number: number) => Promise<PullRequestInfo> {
  const read = new Map<number, Promise<PullRequestInfo>>();
  return (number) => {
    if (!read.has(number)) read.set(number, platform.getPullRequest(number));
    return read.get(number)!;
  };
}

async function record(
  ports: { platform: Platform; ledger: Ledger },
  pullOf: (number: number) => Promise<PullRequestInfo>,
  input: { task: TaskLedger; stage: number; log: Logger },
  outcome: ReplayOutcome,
  prs: ReadonlyMap<number, number>,
): Promise<void> {
  const { task } = input;
  const rows = restackRows(task, outcome.replayed, outcome.conflicts, `merged-s${input.stage}`);
  if (rows.length > 0) await ports.ledger.appendRows(task.issue, rows);
  for (const replayed of outcome.replayed) {
    const number = prs.get(replayed.stage);
    if (number === undefined) continue;
    const pr = await pullOf(number);
    if (pr.state === "open" && pr.base !== replayed.base)
      await ports.platform.updatePullRequest(number, { base: replayed.base });
  }
  for (const c of outcome.conflicts) {
    const conflict = {
      stage: c.stage,
      branch: stageBranch(task.issue, c.stage),
      dependency: c.dependency,
      dependencyHead: c.dependencyHead,
      paths: c.paths,
    };
    await noteConflictOnPullRequest(ports.platform, task, conflict, input.log);
  }
}

/**
 * After a merge commit: a dependent on `s<S>-base` whose dependencies are now
 * all merged goes to the task base (their heads, and the merge of them its
 * history starts from, are all in it). One still waiting keeps its base.
 */
async function retargetCombinedBases(
  platform: Platform,
  pullOf: (number: number) => Promise<PullRequestInfo>,
  task: TaskLedger,
  plan: Plan,
  merged: number,
  log: Logger,
): Promise<void> {
  const states = new Map(task.state.stages.map((s) => [s.stage, s]));
  for (const stage of plan.stages) {
    if (stage.dependsOn.length < 2 || !stage.dependsOn.includes(merged)) continue;
    const number = lastStagePr(states.get(stage.number));
    if (number === undefined) continue;
    const pr = await pullOf(number);
    if (pr.state !== "open" || pr.base !== stageBaseBranch(task.issue, stage.number)) continue;
    const others = stage.dependsOn.filter((dependency) => dependency !== merged);
    if ((await unmergedDependencies(platform, task, others, new Map(), pullOf)).length > 0) continue;
    await platform.updatePullRequest(number, { base: task.meta.baseBranch });
    log.info({ pr: number, stage: stage.number, to: task.meta.baseBranch }, "PR retargeted: every dependency merged");
  }
}
