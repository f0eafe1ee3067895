import { silentLogger, type Logger } from "../util/log.js";
import { LedgerContentionError, LedgerInputError } from "./errors.js";
import { gitBlobSha } from "./object-cache.js";
import {
  appendRowsMutation,
  claimStagesMutation,
  completeRows,
  reconcileMutation,
  renewLeasesMutation,
  writeFilesMutation,
  type ClaimResult,
  type Mutation,
} from "./mutations.js";
import type { AbandonedRow, DoneRow, LedgerRow, RowInput } from "./rows.js";
import type { FileChanges, LedgerSnapshot, LedgerStore } from "./store.js";
import { redactingLedgerStore } from "./redacting-store.js";
import { listTaskIssues, readTaskFrom, taskPath, type TaskLedger } from "./task-ledger.js";

/**
 * The mutation engine (SPEC §4.2), the same for every store:
 *   1. read the branch head and a snapshot of it (cached by SHA);
 *   2. run the mutation — a pure function of those files — which returns file
 *      changes or throws a typed refusal (nothing is written then);
 *   3. drop changes that change nothing; if none remain, stop: no commit;
 *   4. commit with compare-and-swap against the head read in step 1;
 *   5. on a lost race, wait (jittered exponential backoff) and go back to 1,
 *      at most `maxAttempts` times in all, then LedgerContentionError.
 * One mutation is one commit, whatever it changes.
 */

export interface LedgerOptions {
  now?: () => Date;
  /** In [0, 1); the jitter of the backoff. */
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  maxAttempts?: number;
  /**
   * Backoff before attempt n+1: with u = max(baseDelayMs, how long the lost attempt took) and
   * d = min(maxDelayMs, u × 2^(n-1)), wait d/2 + random() × d/2 ("equal jitter"). Scaling by the attempt's
   * own duration keeps the spread wide enough whatever the machine's load: a lost race costs about one
   * attempt, so writers must be spread over multiples of it. With a fixed base, 16 processes on a busy
   * 2-core machine left the slowest writer at its 8th attempt; scaled, 5–7 (see docs/ledger.md).
   */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Milliseconds from an arbitrary origin, for timing attempts (tests pin it). */
  monotonic?: () => number;
  log?: Logger;
}

export interface MutationOutcome<T> {
  value: T;
  /** The ledger commit after the mutation: the new commit, or the head it found nothing to change at. */
  commit: string | null;
  wrote: boolean;
  attempts: number;
}

export const DEFAULT_MAX_ATTEMPTS = 8;

export class Ledger {
  private readonly now: () => Date;
  private readonly random: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly monotonic: () => number;
  private readonly log: Logger;
  /** Every commit goes through the one redaction point (SPEC §14.3). */
  readonly store: LedgerStore;

  constructor(store: LedgerStore, options: LedgerOptions = {}) {
    this.store = redactingLedgerStore(store);
    this.now = options.now ?? (() => new Date());
    this.random = options.random ?? Math.random;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    this.baseDelayMs = options.baseDelayMs ?? 250;
    this.maxDelayMs = options.maxDelayMs ?? 10_000;
    this.monotonic = options.monotonic ?? (() => performance.now());
    this.log = options.log ?? silentLogger;
  }

  async mutate<T>(mutation: Mutation<T>): Promise<MutationOutcome<T>> {
    let lastDetail = "";
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const startedAt = this.monotonic();
      const head = await this.store.head();
      const view = await this.store.snapshot(head);
      const plan = await mutation(view);
      const changes = effectiveChanges(view, plan.changes);
      if (changes.size === 0) return { value: plan.value, commit: head, wrote: false, attempts: attempt };
      const outcome = await this.store.commit({ parent: head, changes, message: plan.message });
      if (outcome.ok) return { value: plan.value, commit: outcome.commit, wrote: true, attempts: attempt };
      lastDetail = outcome.detail;
      this.log.debug({ store: this.store.describe, attempt, detail: outcome.detail }, "ledger write lost the race; re-applying");
      if (attempt < this.maxAttempts) await this.sleep(this.backoff(attempt, this.monotonic() - startedAt));
    }
    this.log.warn({ store: this.store.describe, attempts: this.maxAttempts }, "ledger write gave up after repeated lost races");
    throw new LedgerContentionError(this.maxAttempts, lastDetail);
  }

  /** The task as of the current head, or null when it has no `task.json`. Costs one ref read when the ledger is unchanged. */
  async readTask(issue: number): Promise<TaskLedger | null> {
    const view = await this.store.snapshot(await this.store.head());
    return readTaskFrom(view, issue, this.now());
  }

  /** Issue numbers of every task on the ledger. */
  async listTasks(): Promise<number[]> {
    return listTaskIssues(await this.store.snapshot(await this.store.head()));
  }

  /** Idempotent append (SPEC §4.1): rows whose identity is already recorded are skipped. `at` defaults to now. */
  async appendRows(issue: number, rows: readonly RowInput[]): Promise<MutationOutcome<{ appended: LedgerRow[] }>> {
    return this.mutate(appendRowsMutation(issue, completeRows(rows, this.now())));
  }

  /**
   * Claims stages for a run, all or none, in one commit. Throws
   * StageDoneError / StageClaimedError (naming the holder) when refused;
   * a stage the run already holds is not claimed twice.
   */
  async claimStages(issue: number, run: string, stages: number[], leaseUntil: Date | string, baseCommit: string): Promise<MutationOutcome<ClaimResult>> {
    const now = this.now();
    const until = typeof leaseUntil === "string" ? leaseUntil : leaseUntil.toISOString();
    if (!(Date.parse(until) > now.getTime())) throw new LedgerInputError(`a claim until ${until}`, "the lease must end in the future");
    if (stages.length === 0) throw new LedgerInputError("a claim", "no stages named");
    return this.mutate(claimStagesMutation(issue, { run, stages, leaseUntil: until, baseCommit }, now));
  }

  /** Extends the run's leases; LeaseLostError when the run no longer holds a stage. */
  async renewLeases(issue: number, run: string, stages: number[], leaseUntil: Date | string): Promise<MutationOutcome<{ renewed: number[] }>> {
    const until = typeof leaseUntil === "string" ? leaseUntil : leaseUntil.toISOString();
    return this.mutate(renewLeasesMutation(issue, run, stages, until, this.now()));
  }

  /** Appends `abandoned` rows for expired leases and `done` rows backfilled from complete carries, in one commit. */
  async reconcile(issue: number): Promise<MutationOutcome<{ abandoned: AbandonedRow[]; backfilled: DoneRow[] }>> {
    return this.mutate(reconcileMutation(issue, this.now()));
  }

  /**
   * Writes task files (paths relative to `tasks/<N>/`; null deletes) in one
   * commit. task.json, plan.json, carries and run.json are validated first;
   * `ledger.jsonl` is refused (rows go through appendRows).
   */
  async writeFiles(issue: number, files: Readonly<Record<string, string | null>>, message?: string): Promise<MutationOutcome<{ written: string[] }>> {
    return this.mutate(writeFilesMutation(issue, files, message));
  }

  /** Where a person can see a task file: a GitHub URL, or `okstra/ledger:<path>` locally. */
  fileUrl(issue: number, relative: string): string {
    return this.store.fileUrl(taskPath(issue, relative));
  }

  private backoff(attempt: number, attemptMs: number): number {
    const ceiling = Math.min(this.maxDelayMs, Math.max(this.baseDelayMs, attemptMs) * 2 ** (attempt - 1));
    return Math.floor(ceiling / 2 + (this.random() * ceiling) / 2);
  }
}

/** Drops writes of identical content and deletions of absent files, comparing blob ids so nothing is read for it. */
function effectiveChanges(view: LedgerSnapshot, changes: FileChanges): Map<string, string | null> {
  const effective = new Map<string, string | null>();
  for (const [path, text] of changes) {
    const current = view.blobId(path);
    if (text === null ? current === undefined : current === gitBlobSha(text)) continue;
    effective.set(path, text);
  }
  return effective;
}
