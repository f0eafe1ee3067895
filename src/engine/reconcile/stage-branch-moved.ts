import { loadConfig } from "../../config/load.js";
import type { StageBranchMovedJob } from "../../jobs/types.js";
import { childLogger } from "../../util/log.js";
import { redactSecrets } from "../../util/redact.js";
import { type EngineServiceOptions, type EngineServices, engineServices } from "../context.js";
import { CommandRefusal } from "../refusal.js";
import { countRun } from "../run/run-metrics.js";
import { newRunState } from "../run/run-state.js";
import { StatusComment } from "../run/status-comment.js";
import { runVerification } from "../verification/run-verification.js";
import { requirePlan, verificationSubjects } from "../verification/select-stages.js";
import type { VerificationContext } from "../verification/verification-context.js";
import { reconcileStageHeads } from "./reconcile-stage-heads.js";
import { restackAfterMoves } from "../restack/restack-after-moves.js";

export interface BranchMovedOutcome {
  /** Stages whose new head the ledger now records. */
  reconciled: number[];
  /** Dependents brought up to date with the moved stages (SPEC §15.3). */
  restacked?: number[];
  /** The verification run that re-verified the stale stages, if one ran. */
  verification: string | null;
  /** Why the stale stages were not re-verified, when they were not. */
  problem?: string;
}

/**
 * New commits on a stage branch, once the job is off the queue:
 * 1. reconcile every done stage of the task — not only the branch the event
 *    names: rebasing a stack moves several branches, and the first job to run
 *    records them all (the later ones find nothing new);
 * 2. restack the done dependents of stages whose content changed (§15.3);
 * 3. re-verify the stages whose verdict the new content made stale, and the restacked ones, in one
 *    verification run with its own status comment on the task's issue. No
 *    one typed a command, so nothing is checked against `minimumPermission`:
 *    the pusher already had write access, and okstra is only re-checking its
 *    own verdict.
 * A stage branch that moved to the same tree costs no verification at all.
 */
export function onStageBranchMoved(
  job: StageBranchMovedJob,
  options: EngineServiceOptions,
): Promise<BranchMovedOutcome> {
  const services = engineServices(options);
  return countRun(
    services.metrics,
    "stage-branch-moved",
    () => reconcileAndReverify(job, services),
    (outcome) => (outcome.problem ? "failed" : outcome.reconciled.length > 0 ? "carried-out" : "ignored"),
  );
}

async function reconcileAndReverify(job: StageBranchMovedJob, services: EngineServices): Promise<BranchMovedOutcome> {
  const { platform } = services;
  const log = childLogger(services.log, {
    task: job.issueNumber,
    deliveryId: job.deliveryId,
    pr: job.pullRequest.number,
    branch: job.pullRequest.head,
  });
  const issue = job.issueNumber;

  const pass = await reconcileStageHeads(services, issue, {
    log,
    reverifying: (_stage, hadVerdict) => hadVerdict,
    pushedBy: job.sender,
  });
  const moved = pass.recorded.filter((r) => r.move.change !== "same-content").map((r) => r.move.stage);
  const restacked = await restackAfterMoves(services, {
    issue,
    moved,
    trigger: `restack-${job.deliveryId}`,
    log,
    known: pass.task,
  });
  const outcome: BranchMovedOutcome = {
    reconciled: pass.recorded.map((r) => r.move.stage),
    verification: null,
    ...(restacked.length > 0 ? { restacked } : {}),
  };
  const stale = [...new Set([...pass.stale, ...restacked])].sort((a, b) => a - b);
  if (stale.length === 0) return outcome;

  const now = services.now;
  const commandLine = `Re-verify stage${stale.length === 1 ? "" : "s"} ${stale.join(", ")} (new commits on ${job.pullRequest.head})`;
  const status = new StatusComment(
    platform,
    issue,
    { minIntervalMs: services.statusIntervalMs, now: services.now, rateLimitWaits: services.rateLimitWaits },
    (err) => log.warn({ err }, "status comment update failed"),
  );
  const run = newRunState(commandLine, 0, now());
  const stop = async (problem: string): Promise<BranchMovedOutcome> => {
    Object.assign(run, {
      outcome: "failed",
      body: `okstra could not re-verify: ${problem}`,
      finishedAt: now().toISOString(),
    });
    await status.finish(run).catch((err: unknown) => log.error({ err }, "could not write the final status"));
    return { ...outcome, problem };
  };

  const config = await loadConfig(platform, { commandWorkers: services.commandWorkers });
  if (!config.ok)
    return stop(
      `\`.github/okstra.yml\` on the default branch is invalid: ${config.problems.map((p) => `\`${p.path || "."}\` ${p.message}`).join("; ")}. Fix it, then comment \`/okstra verify\`.`,
    );
  const context: VerificationContext = {
    issue,
    repo: job.repo,
    commandLine,
    config: config.config,
    services,
    log,
    status,
    run,
  };
  try {
    const { task, plan } = requirePlan(await services.ledger.readTask(issue), issue);
    const verified = await runVerification(context, {
      task,
      plan,
      subjects: verificationSubjects(task, plan, stale),
      trigger: { kind: "branch-moved", branch: job.pullRequest.head, deliveryId: job.deliveryId, actor: job.sender },
      embedded: false,
    });
    return { ...outcome, verification: verified?.run ?? null };
  } catch (error) {
    log.error({ err: error }, "re-verification after a branch move failed");
    return stop(
      error instanceof CommandRefusal
        ? error.problem
        : redactSecrets(error instanceof Error ? error.message : String(error)),
    );
  }
}
