import { deriveStages } from "../ledger/derive.js";
import { Ledger } from "../ledger/ledger.js";
import { createGitHubLedgerStore } from "../ledger/github-store.js";
import { appLedgerKeyring } from "../ledger/ledger-key.js";
import { listTaskIssues, readRows } from "../ledger/task-ledger.js";
import type { GitHubClient } from "../platform/github/client.js";
import { paginate } from "../platform/github/paginate.js";
import type { RepoRef } from "../platform/types.js";
import { recoveryGraceMs } from "../engine/recovery/schedule.js";
import type { Logger } from "../util/log.js";
import { recoveryCheckJob, type ScheduleJob } from "./recovery-jobs.js";

/**
 * Crash recovery at start (SPEC §10). A run schedules its own recovery check
 * when it claims stages, and with BullMQ that check waits in Redis for any
 * worker. The in-process queue loses its scheduled checks with the process —
 * exactly when they are needed — so at start the App looks at every
 * repository it is installed on and schedules a check for each task that
 * holds a stage lease: due now for a lease that has run out, after the lease
 * for one still running elsewhere. The due time is derived from the lease,
 * so the check is the same job as the one the run scheduled (no duplicate).
 *
 * Requests: one installation list, per installation a token and a repository
 * list (paginated), per repository one ref read; only repositories with an
 * `okstra/ledger` branch cost a tree and one blob per task.
 */

export interface StartupRecoveryResult {
  installations: number;
  repositories: number;
  ledgers: number;
  scheduled: Array<{ repo: string; issue: number; dueAt: string }>;
}

export interface StartupRecoveryOptions {
  log: Logger;
  leaseMs: number;
  now?: () => Date;
}

/** The slice of Probot this needs: the App's client, and an installation's. */
export interface AppAuth {
  auth(installationId?: number): Promise<GitHubClient>;
}

export async function scheduleStartupRecovery(
  app: AppAuth,
  schedule: ScheduleJob,
  options: StartupRecoveryOptions,
): Promise<StartupRecoveryResult> {
  const now = options.now ?? (() => new Date());
  const result: StartupRecoveryResult = { installations: 0, repositories: 0, ledgers: 0, scheduled: [] };
  const appClient = await app.auth();
  const installations = await paginate<{ id: number }>(appClient, "GET /app/installations", {});
  for (const installation of installations) {
    result.installations++;
    try {
      const octokit = await app.auth(installation.id);
      const repositories = await paginate<{ name: string; owner: { login: string } }>(
        octokit,
        "GET /installation/repositories",
        {},
        (data) => (data as { repositories: Array<{ name: string; owner: { login: string } }> }).repositories,
      );
      for (const repository of repositories) {
        result.repositories++;
        const repo: RepoRef = { owner: repository.owner.login, repo: repository.name };
        const due = await leaseChecksDue(
          new Ledger(createGitHubLedgerStore(octokit, repo), { log: options.log, keyring: () => appLedgerKeyring() }),
          recoveryGraceMs(options.leaseMs),
          now(),
        );
        if (due === null) continue;
        result.ledgers++;
        for (const { issue, dueAt } of due) {
          await schedule(recoveryCheckJob(repo, installation.id, issue, dueAt, now()), {
            delayMs: Math.max(0, dueAt.getTime() - now().getTime()),
          });
          result.scheduled.push({ repo: `${repo.owner}/${repo.repo}`, issue, dueAt: dueAt.toISOString() });
        }
      }
    } catch (error) {
      // One installation that cannot be read (suspended, revoked) does not stop the others.
      options.log.warn({ err: error, installation: installation.id }, "start-up recovery skipped an installation");
    }
  }
  options.log.info({ ...result, scheduled: result.scheduled.length }, "start-up recovery: lease checks scheduled");
  return result;
}

/** For each task holding a stage lease, when its check is due (its latest lease end plus grace); null when the repository has no ledger. */
async function leaseChecksDue(
  ledger: Ledger,
  graceMs: number,
  now: Date,
): Promise<Array<{ issue: number; dueAt: Date }> | null> {
  const view = await ledger.snapshot();
  if (view.commit === null) return null;
  const due: Array<{ issue: number; dueAt: Date }> = [];
  for (const issue of listTaskIssues(view)) {
    const { rows } = await readRows(view, issue);
    const open = deriveStages(rows, now).filter((s) => s.open);
    if (open.length === 0) continue;
    due.push({ issue, dueAt: new Date(Math.max(...open.map((s) => Date.parse(s.open!.leaseUntil))) + graceMs) });
  }
  return due;
}
