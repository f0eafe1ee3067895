import type { ApplicationFunction, Probot } from "probot";
import { checkRunReverify } from "./handlers/check-run.js";
import { checkSuiteRerequested } from "./handlers/check-suite.js";
import { issueCommentCreated } from "./handlers/issue-comment.js";
import { pullRequestClosed, pullRequestSynchronize } from "./handlers/pull-request.js";
import { reviewCommentCreated } from "./handlers/review-comment.js";
import { githubJobProcessor } from "./queue/github-processor.js";
import { createQueueFromSettings } from "./queue/from-environment.js";
import { isObservableQueue } from "./queue/observable.js";
import type { EnqueueOptions, JobProcessor, JobQueue, QueueJob } from "./queue/types.js";
import { registerOpsRoutes } from "./server/ops-routes.js";
import type { Logger } from "./util/log.js";
import { startOrphanSweeper } from "./workspace/orphan-sweeper.js";
import { scheduleStartupRecovery } from "./queue/startup-recovery.js";
import { type OperatorSettings, readOperatorSettings } from "./config/settings.js";

export interface OkstraAppOptions {
  /** The queue jobs go through; by default BullMQ when REDIS_URL is set, else in-process. */
  createQueue?: (processor: JobProcessor, log: Logger) => JobQueue;
  /** Lets tests and the server reach the queue, e.g. to drain it. */
  onQueue?: (queue: JobQueue) => void;
  /** Minimum time between status comment edits (SPEC §8: ≥ 2 s); tests shorten it. */
  statusIntervalMs?: number;
  /** The web address of the GitHub server, for clone URLs (GHE). */
  serverUrl?: string;
  /**
   * At start, schedule a crash-recovery check for every task on every
   * installed repository that holds a stage lease (SPEC §10). `npm start`
   * turns it on; tests that load the App leave it off.
   */
  recoverOnStart?: boolean;
  /** The operator's settings; read from the environment once, when the App loads, if not given. */
  settings?: OperatorSettings;
}

/**
 * Composes the App: webhook handlers feed the queue; the queue's processor
 * builds the per-job ports (an installation-scoped platform and ledger) and
 * hands the job to the engine.
 */
export function okstraApp(options: OkstraAppOptions = {}): ApplicationFunction {
  return (app: Probot, { addHandler }) => {
    // The processor schedules crash-recovery checks on the queue that feeds it: bound once both exist.
    const settings = options.settings ?? readOperatorSettings();
    let queue: JobQueue | undefined;
    const scheduleJob = (job: QueueJob, enqueueOptions?: EnqueueOptions) => queue!.enqueue(job, enqueueOptions);
    const processor = githubJobProcessor(app, { ...options, settings, scheduleJob });
    const createQueue =
      options.createQueue ?? ((process, log) => createQueueFromSettings(process, log, settings.queue));
    queue = createQueue(processor, app.log);
    options.onQueue?.(queue);
    // Run directories of processes that died on this host go at start and every minute (SPEC §10).
    startOrphanSweeper(app.log);
    if (options.recoverOnStart) {
      scheduleStartupRecovery(app, scheduleJob, { log: app.log, leaseMs: settings.leaseMs }).catch((error: unknown) =>
        app.log.error({ err: error }, "start-up recovery failed; tasks are reconciled by their next command"),
      );
    }
    registerOpsRoutes(addHandler, {
      queue: isObservableQueue(queue) ? queue : undefined,
      metricsToken: settings.metricsToken,
    });
    app.on("issue_comment.created", issueCommentCreated(queue));
    app.on("pull_request_review_comment.created", reviewCommentCreated(queue));
    app.on("pull_request.closed", pullRequestClosed(queue));
    app.on("pull_request.synchronize", pullRequestSynchronize(queue));
    app.on(["check_run.rerequested", "check_run.requested_action"], checkRunReverify(queue));
    app.on("check_suite.rerequested", checkSuiteRerequested(queue));
  };
}
