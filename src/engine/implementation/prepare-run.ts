import { readApprovedTask, type ApprovedTask } from "../approved-task.js";
import type { CommandContext } from "../context.js";
import { reconcileStageHeads } from "../reconcile/reconcile-stage-heads.js";

type EngineLedger = CommandContext["services"]["ledger"];

export interface PreparedRun {
  approved: ApprovedTask;
  /** The task's runs so far (their spend counts against the task budget). */
  runs: Awaited<ReturnType<EngineLedger["runs"]>>;
  /** The ledger as others write it: the lease keeper must see other writers. */
  latestLedger: EngineLedger;
}

/**
 * Step 1: pins the ledger for the run, then checks the preconditions — this
 * comment has not started a run already, expired leases are `abandoned` rows,
 * commits pushed onto done stage branches are recorded, the plan is approved.
 * Returns null when there is nothing to do.
 */
export async function prepareRun(context: CommandContext): Promise<PreparedRun | null> {
  const latestLedger = context.services.ledger;
  // One run reads the ledger head once and follows its own writes from there (SPEC §13, `Ledger.pinned`).
  const ledger = latestLedger.pinned();
  context.services = { ...context.services, ledger };
  const issue = context.job.issueNumber;

  // A job run again after its process died (a stalled queue job) finds its run started and does nothing:
  // the run is the crash-recovery check's to close, not a second run's to refuse or repeat.
  const runs = await ledger.runs(issue);
  const previous = runs.startedBy(context.job.comment.id);
  if (previous) {
    context.log.info({ run: previous }, "this comment already started a run; nothing to do");
    return null;
  }

  await ledger.reconcile(issue).catch((error: unknown) => {
    if ((error as Error).name !== "TaskNotFoundError") throw error;
  });
  // Dependents start from their dependencies' done heads: commits pushed onto a done stage branch are
  // recorded first, so they build on them (SPEC §10).
  await reconcileStageHeads(context.services, issue, { log: context.log });
  const approved = await readApprovedTask(ledger, issue);
  return { approved, runs, latestLedger };
}
