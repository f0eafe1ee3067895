import { codeSpan } from "../../render/model-text.js";
import type { Ledger, RowInput, TaskLedger } from "../../ledger/index.js";
import type { Platform } from "../../platform/types.js";
import type { Logger } from "../../util/log.js";
import { withWorkspace } from "../../workspace/workspace.js";
import type { Plan } from "../../plan/plan-schema.js";
import { stageBaseBranch } from "../pull-requests/branch-names.js";
import { restackBranches, type RestackConflict, type RestackOutcome } from "./restack-branches.js";

export interface RestackTaskInput {
  issue: number;
  task: TaskLedger;
  plan: Plan;
  /** Restack only this stage; every out-of-date stage otherwise. */
  only?: number;
  /** Names the rows this pass writes (`needs-restack` rows are the trigger's, e.g. `restack-c<comment>` or a revise run). */
  trigger: string;
  log: Logger;
}

/**
 * One restack pass over a task (SPEC §15.3): read the done stages' branch
 * heads, merge new dependency heads into their dependents in a workspace,
 * then record what happened — a `done` (`source: "restack"`) at each new
 * head, whose verdict is therefore stale until re-verified, and a
 * `needs-restack` row with the paths for each conflict, which is also said
 * on the stage's PR. The ledger is written only after the pushes landed.
 */
export async function restackTask(
  ports: { platform: Platform; ledger: Ledger },
  input: RestackTaskInput,
): Promise<RestackOutcome> {
  const { task, plan, issue } = input;
  const done = new Map(task.state.stages.flatMap((s) => (s.done ? [[s.stage, s.done] as const] : [])));
  const heads = new Map<number, string>();
  for (const [stage, row] of done) heads.set(stage, (await ports.platform.getBranchHead(row.branch)) ?? row.headCommit);
  const baseHead = (await ports.platform.getBranchHead(task.meta.baseBranch)) ?? task.meta.implementationBaseCommit!;
  const stageBases = new Map<number, string>();
  for (const stage of plan.stages) {
    if (stage.dependsOn.length < 2 || !done.has(stage.number)) continue;
    const head = await ports.platform.getBranchHead(stageBaseBranch(issue, stage.number));
    if (head) stageBases.set(stage.number, head);
  }

  const outcome = await withWorkspace(
    {
      remote: () => ports.platform.gitRemote(),
      baseCommit: task.meta.implementationBaseCommit!,
      runId: `restack-${issue}-${input.trigger}`,
      log: input.log,
    },
    (workspace) =>
      restackBranches(workspace, {
        issue,
        stages: plan.stages,
        heads,
        baseHead,
        stageBases,
        only: input.only,
        log: input.log,
      }),
  );

  const rows = restackRows(task, outcome.restacked, outcome.conflicts, input.trigger);
  if (rows.length > 0) await ports.ledger.appendRows(issue, rows);
  for (const conflict of outcome.conflicts) await noteConflictOnPullRequest(ports.platform, task, conflict, input.log);
  input.log.info(
    { restacked: outcome.restacked.map((r) => r.stage), conflicts: outcome.conflicts.map((c) => c.stage) },
    "restack pass done",
  );
  return outcome;
}

/**
 * What a pass that moved stage branches records (SPEC §15.3, §15.4): a `done`
 * (`source: "restack"`) at each moved stage's new head, keeping the run and
 * carry of its last `done`, and a `needs-restack` with the paths for each
 * stage that could not be brought up to date. `run` names what moved them.
 */
export function restackRows(
  task: TaskLedger,
  moved: readonly { stage: number; to: string }[],
  conflicts: readonly Omit<RestackConflict, "branch">[],
  run: string,
): RowInput[] {
  const done = new Map(task.state.stages.flatMap((s) => (s.done ? [[s.stage, s.done] as const] : [])));
  return [
    ...moved.map((m): RowInput => {
      const previous = done.get(m.stage)!;
      const { branch, carryPath } = previous;
      return {
        run: previous.run,
        status: "done",
        source: "restack",
        stage: m.stage,
        headCommit: m.to,
        branch,
        carryPath,
      };
    }),
    ...conflicts.map(
      (c): RowInput => ({
        run,
        status: "needs-restack",
        stage: c.stage,
        dependency: c.dependency,
        dependencyHead: c.dependencyHead,
        paths: c.paths,
      }),
    ),
  ];
}

/** Says on the stage's PR, once per conflicting dependency head, what conflicts and what to do. */
export async function noteConflictOnPullRequest(
  platform: Platform,
  task: TaskLedger,
  conflict: RestackConflict,
  log: Logger,
): Promise<void> {
  const pr = task.state.stages
    .find((s) => s.stage === conflict.stage)
    ?.prs.filter((p) => p.kind === "stage")
    .at(-1);
  if (!pr) return;
  const marker = `<!-- okstra:needs-restack ${JSON.stringify({ stage: conflict.stage, dependencyHead: conflict.dependencyHead })} -->`;
  try {
    if ((await platform.listIssueComments(pr.number)).some((c) => c.body.includes(marker))) return;
    await platform.createComment(pr.number, renderConflictNote(conflict, marker));
  } catch (error) {
    log.warn(
      { err: error, stage: conflict.stage, pr: pr.number },
      "could not say on the PR that the stage needs a restack",
    );
  }
}

export function renderConflictNote(conflict: RestackConflict, marker: string): string {
  return [
    marker,
    `⚠️ **Needs restack.** Stage ${conflict.stage} could not be brought up to date with stage ${conflict.dependency} (\`${conflict.dependencyHead.slice(0, 12)}\`): merging it into \`${conflict.branch}\` conflicts in`,
    "",
    ...conflict.paths.map((p) => `- ${codeSpan(p)}`),
    "",
    `Nothing was pushed. Merge \`${conflict.dependencyHead.slice(0, 12)}\` into \`${conflict.branch}\` yourself, resolve the conflict and push: okstra records your merge and re-verifies the stage.`,
  ].join("\n");
}
