import type { QueueJob } from "../jobs/types.js";
import { type EngineServiceOptions, engineServices } from "./context.js";
import { executeCommand } from "./execute-command.js";
import { onPullRequestClosed } from "./handoff/pull-request-closed.js";
import { onStageBranchMoved } from "./reconcile/stage-branch-moved.js";
import { recoverTask } from "./recovery/recover-task.js";

/**
 * Every job off the queue enters the engine here, whichever process runs it (the App, `okstra worker`):
 * one case per job kind, each handing the job to its phase with the job's ports. A new kind that has no
 * case here does not compile.
 */
export async function dispatchJob(job: QueueJob, options: EngineServiceOptions): Promise<void> {
  const services = engineServices(options);
  const { log } = services;
  switch (job.kind) {
    case undefined:
    case "command":
    case "reverify": {
      // Both go through the authorised-run pipeline: a person asked, so a person is answered.
      const outcome = await executeCommand(job, services);
      log.info({ outcome: outcome.result }, "command finished");
      return;
    }
    case "recovery-check": {
      const recovered = await recoverTask(services, job.issueNumber);
      if (recovered.nextCheckAt && services.recovery)
        await services.recovery.checkAt(job.issueNumber, recovered.nextCheckAt);
      const closed = recovered.closedRuns.map((r) => r.id);
      log.info(
        { abandoned: recovered.abandoned.length, closed, next: recovered.nextCheckAt?.toISOString() },
        "recovery check done",
      );
      return;
    }
    case "stage-branch-moved": {
      const moved = await onStageBranchMoved(job, services);
      log.info({ reconciled: moved.reconciled, verification: moved.verification }, "stage branch move handled");
      return;
    }
    case "pull-request-closed": {
      const handled = await onPullRequestClosed(job.pullRequest, services);
      log.info({ pr: job.pullRequest.number, outcome: handled.action }, "pull request event handled");
      return;
    }
    default:
      return unknownJob(job);
  }
}

/** Every kind has a case above; a kind added to `QueueJob` without one fails to compile here. */
function unknownJob(job: never): never {
  throw new Error(`no handler for the job ${JSON.stringify(job)}`);
}
