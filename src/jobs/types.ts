import type { RepoRef } from "../platform/types.js";

/*
 * The jobs okstra carries from a webhook to the engine. Neutral ground: the
 * handlers build them, the queue carries them, the engine executes them, and
 * none of the three has to import another to name one.
 */

/** One accepted `/okstra` comment, as the webhook handler enqueues it. Everything the job needs, nothing secret. */
export interface CommandJob {
  /** Absent on jobs queued before job kinds existed; every job without `kind` is a command. */
  kind?: "command";
  /** `X-GitHub-Delivery` (or `local-…` from the CLI): the de-duplication key. */
  deliveryId: string;
  repo: RepoRef;
  /** Absent for the local platform. */
  installationId?: number;
  /** Where the comment was written: the issue, or a pull request (then `isPullRequest`; the engine finds its task, SPEC §15.1). */
  issueNumber: number;
  isPullRequest: boolean;
  comment: {
    /** An issue comment's id, or with `reviewComment` an inline review comment's (GitHub numbers them apart). */
    id: number;
    body: string;
    author: string;
    createdAt: string;
  };
  /**
   * The command was an inline review comment on pull request `issueNumber` (`pull_request_review_comment.created`).
   * `threadRoot` is its thread's first comment: GitHub answers only to a thread's first comment, and a
   * command is often written as a reply inside a thread.
   */
  reviewComment?: { path: string; line: number | null; threadRoot: number };
  /**
   * The issue (or PR) as the webhook delivered it, at the trigger: workers
   * see this body, not one edited after the command (SPEC §2). Absent on
   * jobs from the CLI and on jobs queued before it existed; those read it live.
   */
  issue?: { title: string; body: string; author: string };
  receivedAt: string;
}

/**
 * A platform event, not a comment: a pull request on one of okstra's
 * branches was closed (`pull_request.closed`). It carries what the engine
 * needs to retarget and close PRs; no actor, no command.
 */
export interface PullRequestClosedJob {
  kind: "pull-request-closed";
  /** `X-GitHub-Delivery`: the de-duplication key of an event. */
  deliveryId: string;
  repo: RepoRef;
  installationId?: number;
  /** The task the PR's okstra branch names (`okstra/<N>/…`). */
  issueNumber: number;
  pullRequest: { number: number; head: string; base: string; merged: boolean };
  receivedAt: string;
}

/**
 * A stage check run re-requested on the platform (SPEC §8): GitHub's
 * "Re-run" (`rerequested`) or okstra's Re-verify button (`requested_action`,
 * identifier `reverify`). It re-verifies that one stage. No comment triggered
 * it; the sender's permission is checked live in the job, like a commenter's.
 */
export interface ReverifyJob {
  kind: "reverify";
  /** `X-GitHub-Delivery`: every click is a new delivery, a redelivery is the same job. */
  deliveryId: string;
  repo: RepoRef;
  installationId?: number;
  /** The task, from the check run's `external_id` (`<task>/<stage>/<run>`). */
  issueNumber: number;
  /** `suite_rerequested`: "Re-run all checks" (`check_suite.rerequested`); then `id` is the suite's and `run` is empty. */
  checkRun: {
    id: number;
    action: "rerequested" | "requested_action" | "suite_rerequested";
    headSha: string;
    stage: number;
    run: string;
  };
  sender: string;
  receivedAt: string;
}

/**
 * A scheduled look at a task's stage leases (SPEC §10, crash safety). An
 * implementation run schedules one for just after its leases would expire;
 * if the process running it died, the check turns the expired leases into
 * `abandoned` rows, closes the run and says so on its status comment. A lease
 * still alive (renewed) schedules the next check. Not a comment, no actor.
 */
export interface RecoveryCheckJob {
  kind: "recovery-check";
  /** `recovery-<issue>-<epoch ms>`: one check per task and due time, however many processes schedule it. */
  deliveryId: string;
  repo: RepoRef;
  installationId?: number;
  issueNumber: number;
  /** When the check is due (a lease end plus a grace period). */
  dueAt: string;
  receivedAt: string;
}

/**
 * New commits on a stage branch (`pull_request.synchronize` on a PR whose
 * head is `okstra/<N>/s<S>` of this repository): the job reconciles the
 * task's stage heads and re-verifies stages whose verdict went stale (SPEC
 * §10). What the payload says of the push is informative only; the job
 * re-reads the ledger and the branches.
 */
export interface StageBranchMovedJob {
  kind: "stage-branch-moved";
  /** `X-GitHub-Delivery`: every push is a new delivery, a redelivery is the same job. */
  deliveryId: string;
  repo: RepoRef;
  installationId?: number;
  issueNumber: number;
  stage: number;
  pullRequest: { number: number; head: string; before: string; after: string };
  /** Who pushed. */
  sender: string;
  receivedAt: string;
}

/** Everything the queue carries, told apart by `kind`. */
export type QueueJob = CommandJob | PullRequestClosedJob | ReverifyJob | RecoveryCheckJob | StageBranchMovedJob;

/** A job's `kind`; a comment's job may carry none (queued before kinds existed). */
export type JobKind = NonNullable<QueueJob["kind"]>;
