import type { Probot } from "probot";
import { executeCommand } from "../engine/execute-command.js";
import { onPullRequestClosed } from "../engine/handoff/pull-request-closed.js";
import { onStageBranchMoved } from "../engine/reconcile/stage-branch-moved.js";
import { Ledger } from "../ledger/ledger.js";
import { createGitHubLedgerStore } from "../ledger/github-store.js";
import { ObjectCache } from "../ledger/object-cache.js";
import { appLedgerKeyring } from "../ledger/ledger-key.js";
import { createGitHubPlatform } from "../platform/github/index.js";
import { redactingPlatform } from "../platform/redacting-platform.js";
import type { RateLimitWaitNotice, RateLimitWaits } from "../platform/types.js";
import { onRateLimitWait } from "../octokit.js";
import { metrics as processMetrics, type OkstraMetrics } from "../server/metrics.js";
import { instrumentOctokit } from "../server/octokit-metrics.js";
import { recoverTask } from "../engine/recovery/recover-task.js";
import { leaseMsFromEnvironment } from "../engine/recovery/schedule.js";
import { queueRecoveryScheduler, type ScheduleJob } from "./recovery-jobs.js";
import type { JobProcessor, QueueJob } from "./types.js";

export interface GithubProcessorOptions {
  /** Minimum time between status comment edits (SPEC §8: ≥ 2 s); tests shorten it. */
  statusIntervalMs?: number;
  /** The web address of the GitHub server, for clone URLs (GHE). */
  serverUrl?: string;
  metrics?: OkstraMetrics;
  /** The queue this processor's jobs come from, for scheduled crash-recovery checks (SPEC §10). */
  scheduleJob?: ScheduleJob;
  /** Stage lease length (`OKSTRA_LEASE_SECONDS`); 10 minutes by default. */
  leaseMs?: number;
  /** `command` workers allowed (default: `OKSTRA_COMMAND_WORKERS=1`). */
  commandWorkers?: boolean;
}

/**
 * The job processor shared by the App's in-process queue and `okstra worker`:
 * builds the per-job ports (an installation-scoped platform and ledger) and
 * hands the job to the engine. Only the job crosses the queue; credentials
 * come from the process that runs it.
 */
export function githubJobProcessor(probot: Probot, options: GithubProcessorOptions = {}): JobProcessor {
  // One cache of ledger objects for every job this processor runs (SPEC §13): git objects are immutable
  // and keyed by SHA, so a job reads nothing an earlier job already read or wrote. Bounded (ObjectCache).
  const ledgerObjects = new ObjectCache();
  return async (job: QueueJob) => {
    const log = probot.log.child({ task: job.issueNumber, deliveryId: job.deliveryId });
    const octokit = instrumentOctokit(await probot.auth(job.installationId), options.metrics ?? processMetrics);
    // One web address for clone URLs and for every link to the ledger (report.md, plan.json): GitHub Enterprise's own.
    const serverUrl = options.serverUrl ?? serverUrlFromEnvironment();
    const platform = redactingPlatform(createGitHubPlatform(octokit, job.repo, {
      serverUrl,
      // A fresh short-lived installation token whenever git needs one; never stored.
      installationToken: async () => ((await octokit.auth({ type: "installation" })) as { token: string }).token,
    }));
    const ledger = new Ledger(createGitHubLedgerStore(octokit, job.repo, { webBase: serverUrl, cache: ledgerObjects }), { log, keyring: () => appLedgerKeyring() });
    const rateLimitWaits = rateLimitWaitsOf(octokit);
    const recovery = options.scheduleJob ? queueRecoveryScheduler(options.scheduleJob, job.repo, job.installationId) : undefined;
    const leaseMs = options.leaseMs ?? leaseMsFromEnvironment();
    // SPEC §14.6: on the App a `command` worker runs only when the operator says so.
    const commandWorkers = options.commandWorkers ?? process.env.OKSTRA_COMMAND_WORKERS === "1";
    if (job.kind === "recovery-check") {
      const recovered = await recoverTask({ platform, ledger, log, leaseMs, metrics: options.metrics ?? processMetrics }, job.issueNumber);
      if (recovered.nextCheckAt && recovery) await recovery.checkAt(job.issueNumber, recovered.nextCheckAt);
      log.info({ abandoned: recovered.abandoned.length, closed: recovered.closedRuns.map((r) => r.id), next: recovered.nextCheckAt?.toISOString() }, "recovery check done");
      return;
    }
    if (job.kind === "stage-branch-moved") {
      const moved = await onStageBranchMoved(job, { platform, ledger, log, statusIntervalMs: options.statusIntervalMs, metrics: options.metrics ?? processMetrics, commandWorkers, rateLimitWaits });
      log.info({ reconciled: moved.reconciled, verification: moved.verification }, "stage branch move handled");
      return;
    }
    if (job.kind === "pull-request-closed") {
      const handled = await onPullRequestClosed(job.pullRequest, { platform, ledger, log, metrics: options.metrics ?? processMetrics });
      log.info({ pr: job.pullRequest.number, outcome: handled.action }, "pull request event handled");
      return;
    }
    const outcome = await executeCommand(job, { platform, ledger, log, statusIntervalMs: options.statusIntervalMs, metrics: options.metrics ?? processMetrics, recovery, leaseMs, commandWorkers, rateLimitWaits });
    log.info({ outcome: outcome.result }, "command finished");
  };
}

/**
 * The job's rate-limit waits, from its own installation Octokit (SPEC §10):
 * the engine hears when and until when, never about Octokit.
 */
function rateLimitWaitsOf(octokit: object): RateLimitWaits {
  const listeners = new Set<(wait: RateLimitWaitNotice) => void>();
  onRateLimitWait(octokit, ({ kind, until }) => {
    for (const listener of listeners) listener({ kind, until });
  });
  return {
    listen(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** `GHE_HOST`/`GHE_PROTOCOL` point Probot at GitHub Enterprise; clone URLs follow. */
export function serverUrlFromEnvironment(env: NodeJS.ProcessEnv = process.env): string {
  const host = env.GHE_HOST;
  return host ? `${env.GHE_PROTOCOL ?? "https"}://${host}` : "https://github.com";
}
