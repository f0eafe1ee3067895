import type { ApplicationFunction, Probot } from "probot";
import { executeCommand } from "./engine/execute-command.js";
import { issueCommentCreated } from "./handlers/issue-comment.js";
import { Ledger } from "./ledger/ledger.js";
import { createGitHubLedgerStore } from "./ledger/github-store.js";
import { createGitHubPlatform } from "./platform/github/index.js";
import { createInProcessQueue } from "./queue/in-process.js";
import type { CommandJob, JobProcessor, JobQueue } from "./queue/types.js";
import type { Logger } from "./util/log.js";

export interface OkstraAppOptions {
  /** The queue jobs go through; in-process unless given (BullMQ when REDIS_URL is set, later). */
  createQueue?: (processor: JobProcessor, log: Logger) => JobQueue;
  /** Lets tests and the server reach the queue, e.g. to drain it. */
  onQueue?: (queue: JobQueue) => void;
  /** Minimum time between status comment edits (SPEC §8: ≥ 2 s); tests shorten it. */
  statusIntervalMs?: number;
  /** The web address of the GitHub server, for clone URLs (GHE). */
  serverUrl?: string;
}

/**
 * Composes the App: webhook handlers feed the queue; the queue's processor
 * builds the per-job ports (an installation-scoped platform and ledger) and
 * hands the job to the engine.
 */
export function okstraApp(options: OkstraAppOptions = {}): ApplicationFunction {
  return (app: Probot) => {
    const processor = githubJobProcessor(app, options);
    const queue = (options.createQueue ?? createInProcessQueue)(processor, app.log);
    options.onQueue?.(queue);
    app.on("issue_comment.created", issueCommentCreated(queue));
  };
}

function githubJobProcessor(app: Probot, options: OkstraAppOptions): JobProcessor {
  return async (job: CommandJob) => {
    const log = app.log.child({ task: job.issueNumber, deliveryId: job.deliveryId });
    const octokit = await app.auth(job.installationId);
    const platform = createGitHubPlatform(octokit, job.repo, {
      serverUrl: options.serverUrl ?? serverUrlFromEnvironment(),
      // A fresh short-lived installation token whenever git needs one; never stored.
      installationToken: async () => ((await octokit.auth({ type: "installation" })) as { token: string }).token,
    });
    const ledger = new Ledger(createGitHubLedgerStore(octokit, job.repo), { log });
    const outcome = await executeCommand(job, { platform, ledger, log, statusIntervalMs: options.statusIntervalMs });
    log.info({ outcome: outcome.result }, "command finished");
  };
}

/** `GHE_HOST`/`GHE_PROTOCOL` point Probot at GitHub Enterprise; clone URLs follow. */
function serverUrlFromEnvironment(): string {
  const host = process.env.GHE_HOST;
  return host ? `${process.env.GHE_PROTOCOL ?? "https"}://${host}` : "https://github.com";
}
