import { type RunManifest, ShipClaimedError, StageShippedError, type TaskLedger } from "../../ledger/index.js";
import { withWorkspace } from "../../workspace/index.js";
import type { CommandContext } from "../context.js";
import type { Plan } from "../../plan/plan-schema.js";
import { readApprovedTask } from "../approved-task.js";
import { reconcileStageHeads } from "../reconcile/reconcile-stage-heads.js";
import { CommandRefusal } from "../refusal.js";
import { runResultFiles, type RunStatus } from "../run/finish-run.js";
import { runLogger } from "../run/run-log.js";
import { DuplicateTriggerError, startRun } from "../run/start-run.js";
import { collectGroup, type CollectedGroup } from "./collect-group.js";
import { describeCovered, type CoveredStage } from "./eligibility.js";
import type { EnsuredGroupPullRequest } from "./group-pr.js";
import { publishGroup } from "./publish-group.js";
import { selectStages } from "./select-stages.js";
import { claimShipStages, DEFAULT_SHIP_CLAIM_MS, releaseShipClaims } from "./ship-claims.js";
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
  const now = services.now;
  const issue = job.issueNumber;

  // 1. Preconditions and the run. Eligibility is judged on stage heads: a branch rebased to the
  // same tree keeps its verdict, new content on it makes the verdict stale (SPEC §10).
  await reconcileStageHeads(services, issue, { log: context.log });
  const { task, plan } = await readApprovedTask(ledger, issue, {
    noPlan: ", so it has no stages to ship",
    next: " and `/okstra implement`",
  });
  const base = command.base ?? task.meta.baseBranch;
  let manifest: RunManifest;
  try {
    manifest = await startRun(ledger, {
      issue,
      phase: "handoff",
      job,
      now: now(),
      extra: { selection: command.stages, base, guidance: context.guidance },
    });
  } catch (error) {
    if (error instanceof DuplicateTriggerError) return;
    throw error;
  }
  context.run.runId = manifest.id;
  context.log = runLogger(context.log, manifest.id);

  const run: ShipRun = { context, manifest, task, plan, base, claimed: false };
  try {
    await ship(run, options.claimMs ?? DEFAULT_SHIP_CLAIM_MS);
  } catch (error) {
    const refused = error instanceof CommandRefusal;
    const reason = refused ? error.problem : error instanceof Error ? error.message : String(error);
    if (run.claimed)
      await releaseShipClaims(ledger, issue, manifest.id, now()).catch((err: unknown) =>
        context.log.error({ err }, "could not release the ship claims"),
      );
    await writeRunFiles(run, refused ? "refused" : "failed", reason).catch((err: unknown) =>
      context.log.error({ err }, "could not record the ship run"),
    );
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
  const now = context.services.now;
  const issue = task.issue;
  const command = context.command as Extract<CommandContext["command"], { verb: "ship" }>;

  // 2. Eligibility.
  const selected = await selectStages({ platform, task, stages: plan.stages, selection: command.stages, base });
  run.skipped = selected.skipped;

  // 3. Claim.
  const claimed = selected.candidates.map((c) => c.stage);
  try {
    await claimShipStages(ledger, issue, {
      run: manifest.id,
      stages: claimed,
      until: new Date(now().getTime() + claimMs),
      now: now(),
      closedGroups: selected.closedGroups,
    });
    run.claimed = true;
  } catch (error) {
    if (error instanceof ShipClaimedError || error instanceof StageShippedError)
      throw new CommandRefusal(
        `${error.message}.`,
        "Wait for that ship to finish; `/okstra status` shows the group PRs.",
      );
    throw error;
  }

  // 4. Workspace: closure, assembly, push.
  const { baseCommit } = selected;
  run.collected = await withWorkspace(
    {
      remote: () => platform.gitRemote(),
      baseCommit,
      runId: `${context.job.repo.owner}-${context.job.repo.repo}-${issue}-${manifest.id}`,
      log: context.log,
    },
    (workspace) =>
      collectGroup({
        workspace,
        platform,
        issue,
        base,
        baseCommit,
        selection: command.stages.kind,
        candidates: selected.candidates,
        planStages: plan.stages,
        doneHeads: new Map(task.state.stages.flatMap((s) => (s.done ? [[s.stage, s.done.headCommit] as const] : []))),
        ownBases: new Map(task.carries.map((c) => [c.carry.stage, c.carry.stageCommitRange.base] as const)),
        shippedIn: selected.shippedIn,
        skipped: selected.skipped,
        log: context.log,
      }),
  );

  // 5–7. The group PR, its row (ending the claim), the stage PRs.
  run.pr = await publishGroup({
    platform,
    ledger,
    task,
    plan,
    run: manifest.id,
    base,
    collected: run.collected,
    now: now(),
    log: context.log,
  });
  run.claimed = false;

  // 8. Files and status.
  await finishShip(run);
}

async function finishShip(run: ShipRun): Promise<void> {
  const { context, collected, pr } = run;
  const now = context.services.now;
  const shipped = collected!.stages.map((s) => s.stage);
  const outcome = `${shipped.length === 1 ? "stage" : "stages"} ${shipped.join(", ")} ${pr!.created ? "shipped in" : "ship in the existing"} #${pr!.number}`;
  await writeRunFiles(run, "succeeded", outcome);
  const notes: string[] = [];
  if (run.skipped?.length) notes.push(`Skipped, already shipped: ${describeCovered(run.skipped)}.`);
  if (collected!.alreadyInBase.length)
    notes.push(`Skipped, already in \`${run.base}\`: stage ${collected!.alreadyInBase.join(", ")}.`);
  if (!collected!.pushed)
    notes.push(`\`${collected!.assembled.branch}\` already held exactly this assembly, so nothing was pushed.`);
  context.run.phases = collected!.assembled.merges.map((m) => ({
    name: `merge: stage ${m.stage}`,
    state: "done",
    detail: `\`${m.commit.slice(0, 12)}\``,
  }));
  context.run.outcome = "succeeded";
  context.run.finishedAt = now().toISOString();
  context.run.body = [
    `${pr!.created ? "Opened" : "Updated"} group PR #${pr!.number}: ${shipped.length === 1 ? "stage" : "stages"} ${shipped.join(", ")} → \`${run.base}\` from \`${collected!.assembled.branch}\`.`,
    ...(notes.length ? ["", ...notes] : []),
    "",
    `Next: review and merge #${pr!.number}; okstra then closes the stage PRs it ships.`,
  ].join("\n");
  context.run.links = [
    ...context.run.links,
    { label: `group PR #${pr!.number}`, url: pr!.url },
    { label: "report", url: context.services.ledger.fileUrl(run.task.issue, `runs/${run.manifest.id}/report.md`) },
  ];
  await context.status.finish(context.run);
}

async function writeRunFiles(run: ShipRun, status: RunStatus, outcome: string): Promise<void> {
  const { context, manifest, task } = run;
  const now = context.services.now;
  const report = renderShipReport({
    manifest,
    base: run.base,
    outcome,
    assembled: run.collected?.assembled,
    pr: run.pr,
    skipped: run.skipped,
    alreadyInBase: run.collected?.alreadyInBase,
  });
  const extra = run.collected
    ? {
        stages: run.collected.stages.map((s) => s.stage),
        branch: run.collected.assembled.branch,
        ...(run.pr ? { pr: run.pr.number } : {}),
      }
    : {};
  await context.services.ledger.writeFiles(
    task.issue,
    runResultFiles({ manifest, status, finishedAt: now(), outcome, report, extra }),
    `ledger(#${task.issue}): ${manifest.id} ${status}`,
  );
}
