import { isPlanApproved, type StageState } from "../../ledger/derive.js";
import type { RunManifest } from "../../ledger/files.js";
import { LEDGER_BRANCH } from "../../ledger/paths.js";
import type { TaskLedger } from "../../ledger/task-ledger.js";
import type { Platform } from "../../platform/types.js";
import { groupPrTitle, renderGroupPrBody, type GroupPrStage } from "../../render/group-pr-body.js";
import { withWorkspace } from "../../workspace/index.js";
import type { CommandContext } from "../context.js";
import { refreshStackBlocks } from "../implementation/stage-prs.js";
import { planSchema, type Plan } from "../planning/plan-schema.js";
import { CommandRefusal } from "../refusal.js";
import { runResultFiles, type RunStatus } from "../run/finish-run.js";
import { DuplicateTriggerError, startRun } from "../run/start-run.js";
import { collectGroup, type CollectedGroup } from "./collect-group.js";
import { coveringGroup, describeCovered, eligibleStages, requestedStages, type CoveredStage, type ShipCandidate } from "./eligibility.js";
import { announceOnStagePrs, ensureGroupPullRequest, type EnsuredGroupPullRequest } from "./group-pr.js";
import { claimShipStages, DEFAULT_SHIP_CLAIM_MS, recordGroupPr, releaseShipClaims, ShipClaimedError, StageShippedError } from "./ship-claims.js";
import { renderShipReport } from "./ship-report.js";

/**
 * `/okstra ship STAGES [--base BRANCH]` (SPEC §7.2):
 * 1. check the plan is approved; start the run, keyed by its trigger comment
 *    (a redelivered command finds its run and does nothing);
 * 2. eligibility from the ledger: the stages asked for, each done and
 *    verified `accepted` at its current head, none already shipped;
 * 3. claim the stages in the ledger (compare-and-swap) so no concurrent ship
 *    can open a second group PR for any of them;
 * 4. in a workspace at the base head: dependency closure, assembly of the
 *    collector branch, push (never forced) — a conflict pushes nothing;
 * 5. open or reuse the group PR;
 * 6. record its `pr` row, ending the claim in the same commit;
 * 7. tell each stage PR where it ships and refresh the navigation blocks;
 * 8. write the run's files and the final status.
 * A refusal at any step ends the claim, records the run as refused and
 * replies with the reason; nothing is pushed after a refusal.
 */
export async function shipCommand(context: CommandContext, options: { claimMs?: number } = {}): Promise<void> {
  const { job, services, command } = context;
  if (command.verb !== "ship") throw new Error(`shipCommand cannot carry out ${command.verb}`);
  const { ledger } = services;
  const now = services.now ?? (() => new Date());
  const issue = job.issueNumber;

  // 1. Preconditions and the run.
  const task = requireApprovedPlan(await ledger.readTask(issue), issue);
  const plan = planSchema.parse(task.plan);
  const base = command.base ?? task.meta.baseBranch;
  let manifest: RunManifest;
  try {
    manifest = await startRun(ledger, { issue, phase: "handoff", job, now: now(), extra: { selection: command.stages, base, guidance: context.guidance } });
  } catch (error) {
    if (error instanceof DuplicateTriggerError) return;
    throw error;
  }
  context.run.runId = manifest.id;

  const run: ShipRun = { context, manifest, task, plan, base, claimed: false };
  try {
    await ship(run, options.claimMs ?? DEFAULT_SHIP_CLAIM_MS);
  } catch (error) {
    const refused = error instanceof CommandRefusal;
    const reason = refused ? error.problem : error instanceof Error ? error.message : String(error);
    if (run.claimed) await releaseShipClaims(ledger, issue, manifest.id, now()).catch((err: unknown) => context.log.error({ err }, "could not release the ship claims"));
    await writeRunFiles(run, refused ? "refused" : "failed", reason).catch((err: unknown) => context.log.error({ err }, "could not record the ship run"));
    throw error;
  }
}

interface ShipRun {
  context: CommandContext;
  manifest: RunManifest;
  task: TaskLedger;
  plan: Plan;
  base: string;
  claimed: boolean;
  skipped?: CoveredStage[];
  collected?: CollectedGroup;
  pr?: EnsuredGroupPullRequest;
}

async function ship(run: ShipRun, claimMs: number): Promise<void> {
  const { context, manifest, task, plan, base } = run;
  const { platform, ledger } = context.services;
  const now = context.services.now ?? (() => new Date());
  const issue = task.issue;
  const command = context.command as Extract<CommandContext["command"], { verb: "ship" }>;

  if (base === LEDGER_BRANCH) throw new CommandRefusal(`\`${LEDGER_BRANCH}\` holds okstra's ledger; nothing ships onto it.`, "/okstra ship STAGES [--base BRANCH]");
  const baseCommit = await platform.getBranchHead(base);
  if (!baseCommit) throw new CommandRefusal(`the base branch \`${base}\` does not exist.`, "/okstra ship STAGES [--base BRANCH]");

  // 2. Eligibility.
  const closedGroups = await closedGroupPrs(platform, task);
  const requested = requestedStages({ planStages: plan.stages, states: task.state.stages, selection: command.stages, closedGroups });
  if (!requested.ok) throw new CommandRefusal(requested.problem, requested.instead);
  run.skipped = requested.value.skipped;
  const heads = await branchHeads(platform, task.state.stages, requested.value.stages);
  const eligible = eligibleStages({ stages: requested.value.stages, states: task.state.stages, branchHeads: heads });
  if (!eligible.ok) throw new CommandRefusal(eligible.problem, eligible.instead);

  // 3. Claim.
  try {
    await claimShipStages(ledger, issue, { run: manifest.id, stages: requested.value.stages, until: new Date(now().getTime() + claimMs), now: now(), closedGroups });
    run.claimed = true;
  } catch (error) {
    if (error instanceof ShipClaimedError || error instanceof StageShippedError) throw new CommandRefusal(`${error.message}.`, "Wait for that ship to finish; `/okstra status` shows the group PRs.");
    throw error;
  }

  // 4. Workspace: closure, assembly, push.
  run.collected = await withWorkspace(
    { remote: () => platform.gitRemote(), baseCommit, runId: `${context.job.repo.owner}-${context.job.repo.repo}-${issue}-${manifest.id}`, log: context.log },
    (workspace) =>
      collectGroup({
        workspace,
        platform,
        issue,
        base,
        baseCommit,
        selection: command.stages.kind,
        candidates: eligible.value,
        planStages: plan.stages,
        doneHeads: new Map(task.state.stages.flatMap((s) => (s.done ? [[s.stage, s.done.headCommit] as const] : []))),
        ownBases: new Map(task.carries.map((c) => [c.carry.stage, c.carry.stageCommitRange.base] as const)),
        shippedIn: shippedIn(task, closedGroups),
        skipped: run.skipped ?? [],
        log: context.log,
      }),
  );
  const { assembled, stages } = run.collected;

  // 5. The group PR.
  const stagePrs = stages.flatMap((s) => {
    const row = stateOf(task, s.stage)?.prs.filter((pr) => pr.kind === "stage").at(-1);
    return row ? [{ stage: s.stage, number: row.number, url: row.url }] : [];
  });
  const body = renderGroupPrBody({
    issue,
    taskTitle: task.meta.title,
    branch: assembled.branch,
    base,
    baseCommit: assembled.baseCommit,
    stages: stages.map((s) => groupPrStage(run, s, assembled.merges.find((m) => m.stage === s.stage)!.commit, stagePrs)),
  });
  const title = groupPrTitle(issue, task.meta.title, stages.map((s) => s.stage));
  run.pr = await ensureGroupPullRequest({ platform, branch: assembled.branch, base, title, body, log: context.log });

  // 6. The `pr` row; the claim ends with it.
  const shipped = stages.map((s) => s.stage);
  await recordGroupPr(ledger, issue, { run: manifest.id, status: "pr", stages: shipped, kind: "group", branch: assembled.branch, number: run.pr.number, url: run.pr.url }, now());
  run.claimed = false;

  // 7. Stage PRs: a pointer to the group PR, and "shipped in #X" in every navigation block.
  const after = (await ledger.readTask(issue))!;
  await announceOnStagePrs({ platform, group: run.pr.number, base, stagePrs, log: context.log });
  await refreshStackBlocks({ platform, task: after, plan, log: context.log });

  // 8. Files and status.
  await finishShip(run);
}

function groupPrStage(run: ShipRun, candidate: ShipCandidate, mergeCommit: string, stagePrs: ReadonlyArray<{ stage: number; number: number; url: string }>): GroupPrStage {
  const { context, task, plan } = run;
  const reportPath = candidate.verdict.reportPath;
  const reportUrl = reportPath.startsWith("tasks/") ? context.services.ledger.store.fileUrl(reportPath) : context.services.ledger.fileUrl(task.issue, reportPath);
  const pr = stagePrs.find((p) => p.stage === candidate.stage);
  return {
    stage: candidate.stage,
    title: plan.stages.find((s) => s.number === candidate.stage)!.title,
    verdict: candidate.verdict.verdict,
    verifiedHead: candidate.verdict.headCommit,
    reportUrl,
    mergeCommit,
    ...(pr ? { stagePr: { number: pr.number, url: pr.url } } : {}),
  };
}

async function finishShip(run: ShipRun): Promise<void> {
  const { context, collected, pr } = run;
  const now = context.services.now ?? (() => new Date());
  const shipped = collected!.stages.map((s) => s.stage);
  const outcome = `${shipped.length === 1 ? "stage" : "stages"} ${shipped.join(", ")} ${pr!.created ? "shipped in" : "ship in the existing"} #${pr!.number}`;
  await writeRunFiles(run, "succeeded", outcome);
  const notes: string[] = [];
  if (run.skipped?.length) notes.push(`Skipped, already shipped: ${describeCovered(run.skipped)}.`);
  if (collected!.alreadyInBase.length) notes.push(`Skipped, already in \`${run.base}\`: stage ${collected!.alreadyInBase.join(", ")}.`);
  if (!collected!.pushed) notes.push(`\`${collected!.assembled.branch}\` already held exactly this assembly, so nothing was pushed.`);
  context.run.phases = collected!.assembled.merges.map((m) => ({ name: `merge: stage ${m.stage}`, state: "done", detail: `\`${m.commit.slice(0, 12)}\`` }));
  context.run.outcome = "succeeded";
  context.run.finishedAt = now().toISOString();
  context.run.body = [
    `${pr!.created ? "Opened" : "Updated"} group PR #${pr!.number}: ${shipped.length === 1 ? "stage" : "stages"} ${shipped.join(", ")} → \`${run.base}\` from \`${collected!.assembled.branch}\`.`,
    ...(notes.length ? ["", ...notes] : []),
    "",
    `Next: review and merge #${pr!.number}; okstra then closes the stage PRs it ships.`,
  ].join("\n");
  context.run.links = [...context.run.links, { label: `group PR #${pr!.number}`, url: pr!.url }, { label: "report", url: context.services.ledger.fileUrl(run.task.issue, `runs/${run.manifest.id}/report.md`) }];
  await context.status.finish(context.run);
}

async function writeRunFiles(run: ShipRun, status: RunStatus, outcome: string): Promise<void> {
  const { context, manifest, task } = run;
  const now = context.services.now ?? (() => new Date());
  const report = renderShipReport({ manifest, base: run.base, outcome, assembled: run.collected?.assembled, pr: run.pr, skipped: run.skipped, alreadyInBase: run.collected?.alreadyInBase });
  const extra = run.collected ? { stages: run.collected.stages.map((s) => s.stage), branch: run.collected.assembled.branch, ...(run.pr ? { pr: run.pr.number } : {}) } : {};
  await context.services.ledger.writeFiles(task.issue, runResultFiles({ manifest, status, finishedAt: now(), outcome, report, workers: [], extra }), `ledger(#${task.issue}): ${manifest.id} ${status}`);
}

/** Group PRs closed without being merged ship nothing any more: their stages may ship again. */
async function closedGroupPrs(platform: Platform, task: TaskLedger): Promise<Set<number>> {
  const numbers = new Set(task.state.stages.flatMap((s) => s.prs.filter((pr) => pr.kind === "group").map((pr) => pr.number)));
  const closed = new Set<number>();
  for (const number of numbers) {
    const pr = await platform.getPullRequest(number);
    if (pr.state === "closed" && !pr.merged) closed.add(number);
  }
  return closed;
}

/** Each stage an open (or merged) group PR ships, with that PR and its collector branch. */
function shippedIn(task: TaskLedger, closedGroups: ReadonlySet<number>): Map<number, { group: number; branch: string }> {
  const shipped = new Map<number, { group: number; branch: string }>();
  for (const state of task.state.stages) {
    const row = coveringGroup(state.prs, closedGroups);
    if (row) shipped.set(state.stage, { group: row.number, branch: row.branch });
  }
  return shipped;
}

/** The current head of each done stage's branch, so a commit pushed after verification is noticed. */
async function branchHeads(platform: Platform, states: readonly StageState[], stages: readonly number[]): Promise<Map<number, string | null>> {
  const heads = new Map<number, string | null>();
  for (const stage of stages) {
    const done = states.find((s) => s.stage === stage)?.done;
    if (done) heads.set(stage, await platform.getBranchHead(done.branch));
  }
  return heads;
}

function stateOf(task: TaskLedger, stage: number): StageState | undefined {
  return task.state.stages.find((s) => s.stage === stage);
}

function requireApprovedPlan(task: TaskLedger | null, issue: number): TaskLedger {
  if (!task?.plan) throw new CommandRefusal(`#${issue} has no plan yet, so it has no stages to ship.`, "Comment `/okstra plan`, then `/okstra approve` and `/okstra implement`.");
  if (!isPlanApproved(task.rows, task.plan)) throw new CommandRefusal(`plan v${task.meta.planVersion} of #${issue} is not approved.`, "Read the plan comment, then `/okstra approve`.");
  return task;
}
