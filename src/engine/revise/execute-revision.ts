import type { RunManifest } from "../../ledger/index.js";
import { BudgetMeter } from "../../workers/budget.js";
import { withWorkspace } from "../../workspace/workspace.js";
import type { CommandContext } from "../context.js";
import { executeStage, type StageOutcome } from "../implementation/execute-stage.js";
import { ImplementationRun } from "../implementation/implementation-run.js";
import { LeaseKeeper } from "../implementation/lease-keeper.js";
import { stageBranch } from "../pull-requests/branch-names.js";
import type { RunWorkers } from "../run/invoke-worker.js";
import { stageLogger } from "../run/run-log.js";
import { readTaskSpend } from "../run/task-spend.js";
import type { Revision } from "./revise-command.js";

/**
 * The executor continues the stage where it is (SPEC §15.2), through the very
 * same steps as an implementation (§6.3: pre-validation, executor, okstra's
 * own checks, trailers, a push that must fast-forward). The stage's base is
 * the one its carry recorded, so the branch as it stands — its commits, a
 * person's, restack merges — is resumed on, never rebuilt. An executor that
 * adds nothing has not revised anything.
 */
export async function executeRevision(
  context: CommandContext,
  manifest: RunManifest,
  revision: Revision,
): Promise<{ outcome: StageOutcome; workers: RunWorkers }> {
  const { services, config, job } = context;
  const { task, plan, stage } = revision;
  const issue = job.issueNumber;
  const now = services.now;
  // No claim: a done stage cannot be claimed; the keeper is only the run's stop signal (`/okstra cancel`).
  const keeper = new LeaseKeeper(
    services.ledger,
    issue,
    manifest.id,
    [stage.number],
    services.leaseMs,
    context.log,
    now,
  );
  const workers: RunWorkers = {
    budget: new BudgetMeter(config.budgets, { task: await readTaskSpend(services.ledger, issue) }),
    records: [],
    signal: keeper.signal,
  };
  const run = new ImplementationRun(context, manifest, task, plan, workers, keeper, task.meta.baseBranch);
  const base =
    task.carries.find((c) => c.carry.stage === stage.number)?.carry.stageCommitRange.base ??
    task.meta.implementationBaseCommit!;
  // Every dependency "head" is the recorded base: it already holds them all, so checking out the stage's base gives exactly it.
  const dependencyHeads = new Map(stage.dependsOn.map((dep) => [dep, base]));
  const before = await services.platform.getBranchHead(stageBranch(issue, stage.number));

  const outcome = await withWorkspace(
    {
      remote: () => services.platform.gitRemote(),
      baseCommit: task.meta.implementationBaseCommit!,
      runId: `${job.repo.owner}-${job.repo.repo}-${issue}-${manifest.id}`,
      log: context.log,
      signal: keeper.signal,
    },
    (workspace) =>
      executeStage(run, workspace, stage, dependencyHeads, revision.guidance, stageLogger(context.log, stage.number)),
  ).catch(
    (error: unknown): StageOutcome => ({
      stage: stage.number,
      status: "failed",
      reason: "error",
      detail: error instanceof Error ? error.message : String(error),
      validation: [],
    }),
  );

  if (outcome.status === "done" && outcome.headCommit === before) {
    return {
      outcome: {
        stage: stage.number,
        status: "failed",
        reason: "no-change",
        detail: `the executor committed nothing on top of \`${before.slice(0, 12)}\``,
        validation: outcome.validation,
      },
      workers,
    };
  }
  return { outcome, workers };
}
