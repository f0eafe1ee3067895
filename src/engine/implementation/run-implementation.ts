import { BudgetMeter } from "../../workers/budget.js";
import type { CommandContext } from "../context.js";
import type { RunWorkers } from "../run/invoke-worker.js";
import { runLogger } from "../run/run-log.js";
import { verifyAfterImplementation } from "../verification/verify-command.js";
import { claimBatch, type ClaimedBatch } from "./claim-batch.js";
import { executeBatch } from "./execute-batch.js";
import { batchEnd, finishImplementation } from "./finish-implementation.js";
import { ImplementationRun } from "./implementation-run.js";
import { LeaseKeeper } from "./lease-keeper.js";
import { prepareRun, type PreparedRun } from "./prepare-run.js";

/**
 * An implementation run (SPEC §6), for `/okstra implement [--stage auto|N]` and `/okstra retry`, as named steps:
 * 1. prepare: check the plan is approved; turn expired leases into `abandoned` rows;
 * 2. choose and claim: the batch, then the run started and the batch claimed in one
 *    compare-and-swap commit (a lost claim re-selects);
 * 3. execute the batch: in one workspace, the stages in ascending order — a stage whose
 *    dependency failed in this batch is not attempted — each recorded as `done` (carry, row
 *    and its published PR) or `failed` as soon as it ends;
 * 4. finish: the run's files and the final status; then, when configured, verification.
 * Leases are renewed while the run works; losing one stops the run.
 */
export async function implementCommand(context: CommandContext): Promise<void> {
  const prepared = await prepareRun(context);
  if (!prepared) return;
  const claimed = await claimBatch(context, prepared);
  if (!claimed) return;
  const run = openRun(context, prepared, claimed);
  const outcomes = await executeBatch(run, claimed.batch, prepared.approved.baseCommit);
  await finishImplementation(context, claimed.manifest, batchEnd(claimed.batch, outcomes, run.workers, run.pilot));
  if (context.config.verification.autoVerify)
    await verifyAfterImplementation(
      context,
      outcomes.flatMap((o) => (o.status === "done" ? [o.stage] : [])),
    );
}

/** The run's shared state: its logger, lease keeper, worker budget, and one pending status line per stage. */
function openRun(context: CommandContext, prepared: PreparedRun, claimed: ClaimedBatch): ImplementationRun {
  const { services, config, job } = context;
  const { manifest, batch, task } = claimed;
  const { plan } = prepared.approved;
  context.log = runLogger(context.log, manifest.id);
  // The keeper renews and polls for a cancellation with the unpinned ledger: it must see other writers.
  const keeper = new LeaseKeeper(
    prepared.latestLedger,
    job.issueNumber,
    manifest.id,
    batch,
    services.leaseMs,
    context.log,
    services.now,
  );
  context.run.runId = manifest.id;
  context.run.phases = batch.map((stage) => ({
    name: `Stage ${stage} · ${plan.stages.find((s) => s.number === stage)!.title}`,
    state: "pending",
  }));
  context.status.update(context.run);
  const workers: RunWorkers = {
    budget: new BudgetMeter(config.budgets, { task: prepared.runs.spend }),
    records: [],
    signal: keeper.signal,
  };
  return new ImplementationRun(context, manifest, task, plan, workers, keeper, task.meta.baseBranch);
}
