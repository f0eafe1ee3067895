import type { Probot } from "probot";
import { type OperatorSettings, readOperatorSettings } from "../config/settings.js";
import { dispatchJob } from "../engine/dispatch-job.js";
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
import { queueRecoveryScheduler, type ScheduleJob } from "./recovery-jobs.js";
import type { JobProcessor, QueueJob } from "./types.js";

export interface GithubProcessorOptions {
  /** Minimum time between status comment edits (SPEC §8: ≥ 2 s); tests shorten it. */
  statusIntervalMs?: number;
  /** The web address of the GitHub server, for clone URLs (GHE); the operator's settings by default. */
  serverUrl?: string;
  metrics?: OkstraMetrics;
  /** The queue this processor's jobs come from, for scheduled crash-recovery checks (SPEC §10). */
  scheduleJob?: ScheduleJob;
  /** Stage lease length (`OKSTRA_LEASE_SECONDS`); the operator's settings by default. */
  leaseMs?: number;
  /** `command` workers allowed (`OKSTRA_COMMAND_WORKERS=1`); the operator's settings by default. */
  commandWorkers?: boolean;
  /** The operator's settings; read from the environment once, when the processor is made, if not given. */
  settings?: OperatorSettings;
}

/**
 * The job processor shared by the App's in-process queue and `okstra worker`:
 * builds the per-job ports (an installation-scoped platform and ledger) and
 * hands the job to the engine's `dispatchJob`. Only the job crosses the queue;
 * credentials come from the process that runs it.
 */
export function githubJobProcessor(probot: Probot, options: GithubProcessorOptions = {}): JobProcessor {
  const settings = options.settings ?? readOperatorSettings();
  // One web address for clone URLs and for every link to the ledger (report.md, plan.json): GitHub Enterprise's own.
  const serverUrl = options.serverUrl ?? settings.serverUrl;
  const metrics = options.metrics ?? processMetrics;
  // One cache of ledger objects for every job this processor runs (SPEC §13): git objects are immutable
  // and keyed by SHA, so a job reads nothing an earlier job already read or wrote. Bounded (ObjectCache).
  const ledgerObjects = new ObjectCache();
  return async (job: QueueJob) => {
    const log = probot.log.child({ task: job.issueNumber, deliveryId: job.deliveryId });
    const octokit = instrumentOctokit(await probot.auth(job.installationId), metrics);
    const platform = redactingPlatform(
      createGitHubPlatform(octokit, job.repo, {
        serverUrl,
        // A fresh short-lived installation token whenever git needs one; never stored.
        installationToken: async () => ((await octokit.auth({ type: "installation" })) as { token: string }).token,
      }),
    );
    const store = createGitHubLedgerStore(octokit, job.repo, { webBase: serverUrl, cache: ledgerObjects });
    const ledger = new Ledger(store, { log, keyring: () => appLedgerKeyring() });
    await dispatchJob(job, {
      platform,
      ledger,
      log,
      metrics,
      statusIntervalMs: options.statusIntervalMs,
      recovery: options.scheduleJob
        ? queueRecoveryScheduler(options.scheduleJob, job.repo, job.installationId)
        : undefined,
      leaseMs: options.leaseMs ?? settings.leaseMs,
      // SPEC §14.6: on the App a `command` worker runs only when the operator says so.
      commandWorkers: options.commandWorkers ?? settings.commandWorkers,
      rateLimitWaits: rateLimitWaitsOf(octokit),
    });
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
