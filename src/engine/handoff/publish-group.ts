import type { Ledger, TaskLedger } from "../../ledger/index.js";
import type { Platform } from "../../platform/types.js";
import { groupPrTitle, renderGroupPrBody, type GroupPrStage } from "../../render/group-pr-body.js";
import type { Logger } from "../../util/log.js";
import { refreshStackBlocks } from "../pull-requests/stage-prs.js";
import type { Plan } from "../../plan/plan-schema.js";
import type { CollectedGroup } from "./collect-group.js";
import { announceOnStagePrs, ensureGroupPullRequest, type EnsuredGroupPullRequest } from "./group-pr.js";
import { recordGroupPr } from "./ship-claims.js";

/**
 * Steps 5–7 of a ship, once the collector branch is on the remote:
 *   5. open or reuse the group PR, its body built from the plan, the
 *      verdicts, the merge commits and the stage PRs;
 *   6. append its `pr` row — the same commit ends the run's ship claims;
 *   7. tell each stage PR where it ships, and refresh every navigation block
 *      (they now say "shipped in #X").
 */
export async function publishGroup(input: {
  platform: Platform;
  ledger: Ledger;
  task: TaskLedger;
  plan: Plan;
  run: string;
  base: string;
  collected: CollectedGroup;
  now: Date;
  log: Logger;
}): Promise<EnsuredGroupPullRequest> {
  const { platform, ledger, task, collected, base, log } = input;
  const { assembled, stages } = collected;
  const stagePrs = stages.flatMap((s) => {
    const row = task.state.stages
      .find((state) => state.stage === s.stage)
      ?.prs.filter((pr) => pr.kind === "stage")
      .at(-1);
    return row ? [{ stage: s.stage, number: row.number, url: row.url }] : [];
  });
  const rows: GroupPrStage[] = stages.map((s) => {
    const pr = stagePrs.find((p) => p.stage === s.stage);
    return {
      stage: s.stage,
      title: input.plan.stages.find((p) => p.number === s.stage)!.title,
      verdict: s.verdict.verdict,
      verifiedHead: s.verdict.headCommit,
      reportUrl: reportUrl(ledger, task.issue, s.verdict.reportPath),
      mergeCommit: assembled.merges.find((m) => m.stage === s.stage)!.commit,
      ...(pr ? { stagePr: { number: pr.number, url: pr.url } } : {}),
    };
  });
  const shipped = stages.map((s) => s.stage);
  const body = renderGroupPrBody({
    issue: task.issue,
    taskTitle: task.meta.title,
    branch: assembled.branch,
    base,
    baseCommit: assembled.baseCommit,
    stages: rows,
  });
  const pr = await ensureGroupPullRequest({
    platform,
    branch: assembled.branch,
    base,
    title: groupPrTitle(task.issue, task.meta.title, shipped),
    body,
    log,
  });

  await recordGroupPr(
    ledger,
    task.issue,
    {
      run: input.run,
      status: "pr",
      stages: shipped,
      kind: "group",
      branch: assembled.branch,
      number: pr.number,
      url: pr.url,
    },
    input.now,
  );

  await announceOnStagePrs({ platform, group: pr.number, base, stagePrs, log });
  await refreshStackBlocks({ platform, task: (await ledger.readTask(task.issue))!, plan: input.plan, log });
  return pr;
}

/** `reportPath` is task-relative (`runs/verify-1/report.md`) or a full ledger path. */
function reportUrl(ledger: Ledger, issue: number, reportPath: string): string {
  return reportPath.startsWith("tasks/") ? ledger.store.fileUrl(reportPath) : ledger.fileUrl(issue, reportPath);
}
