import { silentLogger, type Logger } from "../util/log.js";
import { LedgerContentionError, LedgerInputError, LedgerUntrustedError, type UntrustedEntry } from "./errors.js";
import { cliLedgerKeyring, type LedgerKeyring } from "./ledger-key.js";
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
import { SIGNATURES_FILE } from "./ledger-signature.js";
import { signChanges } from "./sign-changes.js";
import { redactChanges } from "./redact-changes.js";
import { redactSecrets } from "../util/redact.js";
import { listTaskIssues, readTaskFrom, taskPath, type TaskLedger } from "./task-ledger.js";
import { splitTaskPath, TrustedSnapshot } from "./trusted-snapshot.js";
import {
  readTaskRuns,
  runStartedBy,
  startRunMutation,
  taskSpend,
  type StartedRun,
  type StartRunInput,
  type TaskSpend,
} from "./runs.js";
import type { ClaimRequest } from "./mutations.js";
import { stageDoneMutation, type StageDone } from "./stage-done.js";

/**
 * The mutation engine (SPEC §4.2), the same for every store:
 *   1. read the branch head and a snapshot of it (cached by SHA);
 *   2. run the mutation — a pure function of those files — which returns file
 *      changes or throws a typed refusal (nothing is written then);
 *   3. drop changes that change nothing; if none remain, stop: no commit;
 *   4. sign what is left (sign-changes.ts) and commit it with compare-and-swap
 *      against the head read in step 1;
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
  /**
   * The keys okstra signs and checks its ledger with (SPEC §14.5). The App passes
   * `appLedgerKeyring()`; the default is the CLI's (OKSTRA_LEDGER_KEY or its key file), loaded on first use.
   */
  keyring?: LedgerKeyring | (() => Promise<LedgerKeyring>);
}

/** Untrusted entries located per task at most this many: the first ones name the commit to revert. */
const LOCATE_LIMIT = 10;

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
  private readonly keyring: () => Promise<LedgerKeyring>;
  /** Set on a pinned ledger (see `pinned()`): the head it last read or wrote; undefined until it has one. */
  private known: { head: string | null } | undefined;
  private readonly pins: boolean;

  constructor(
    readonly store: LedgerStore,
    private readonly options: LedgerOptions = {},
    pin = false,
  ) {
    this.pins = pin;
    this.now = options.now ?? (() => new Date());
    this.random = options.random ?? Math.random;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    this.baseDelayMs = options.baseDelayMs ?? 250;
    this.maxDelayMs = options.maxDelayMs ?? 10_000;
    this.monotonic = options.monotonic ?? (() => performance.now());
    this.log = options.log ?? silentLogger;
    const source = options.keyring ?? (() => cliLedgerKeyring());
    let loaded: Promise<LedgerKeyring> | undefined;
    this.keyring = typeof source === "function" ? () => (loaded ??= source()) : async () => source;
  }

  /**
   * The same ledger for one run (SPEC §13): the branch head is read once and then followed through the run's
   * own writes, so a read after the run's own commit costs no request. Writes stay compare-and-swap: a write
   * on a head another writer has moved loses the race and re-reads the head, as every write does. What the
   * run reads between its writes is the ledger as of its last read or write — fresh enough for what one run
   * decides from it (its own rows; anything another run claims is refused by the claim's own commit).
   */
  pinned(): Ledger {
    return new Ledger(this.store, { ...this.options, keyring: this.keyring }, true);
  }

  /** The head to read or write on: the known one on a pinned ledger, otherwise (or when `fresh`) one ref read. */
  private async head(fresh = false): Promise<string | null> {
    if (this.pins && !fresh && this.known) return this.known.head;
    const head = await this.store.head();
    if (this.pins) this.known = { head };
    return head;
  }

  /** The ledger at its current head, every file checked against okstra's signatures as it is read. */
  async snapshot(latest = false): Promise<TrustedSnapshot> {
    const [head, keys] = await Promise.all([this.head(latest), this.keyring()]);
    return new TrustedSnapshot(await this.store.snapshot(head), keys);
  }

  async mutate<T>(mutation: Mutation<T>): Promise<MutationOutcome<T>> {
    let lastDetail = "";
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const startedAt = this.monotonic();
      const head = await this.head(attempt > 1);
      const view = new TrustedSnapshot(await this.store.snapshot(head), await this.keyring());
      const plan = await mutation(view);
      // Redacted first (SPEC §14.3), then signed: the signature covers the bytes that are written.
      const changes = effectiveChanges(
        view,
        await signChanges(
          view,
          effectiveChanges(view, await redactChanges(view.raw, plan.changes)),
          plan.adopt ?? null,
        ),
      );
      if (changes.size === 0) return { value: plan.value, commit: head, wrote: false, attempts: attempt };
      const outcome = await this.store.commit({ parent: head, changes, message: redactSecrets(plan.message) });
      if (outcome.ok) {
        if (this.pins) this.known = { head: outcome.commit };
        return { value: plan.value, commit: outcome.commit, wrote: true, attempts: attempt };
      }
      lastDetail = outcome.detail;
      this.log.debug(
        { store: this.store.describe, attempt, detail: outcome.detail },
        "ledger write lost the race; re-applying",
      );
      if (attempt < this.maxAttempts) await this.sleep(this.backoff(attempt, this.monotonic() - startedAt));
    }
    this.log.warn(
      { store: this.store.describe, attempts: this.maxAttempts },
      "ledger write gave up after repeated lost races",
    );
    throw new LedgerContentionError(this.maxAttempts, lastDetail);
  }

  /**
   * The task as of the current head, or null when it has no `task.json`. Costs one ref read when the ledger
   * is unchanged — none on a pinned ledger, unless `latest`: what another writer may have changed since must
   * be seen there (a plan re-checked right before its commands run).
   * Throws LedgerUntrustedError (each entry with the commit that introduced it) when the task holds state
   * okstra did not write: nothing that acts on a task may decide on one okstra cannot vouch for.
   */
  async readTask(issue: number, options: { latest?: boolean } = {}): Promise<TaskLedger | null> {
    const task = await this.confirmUnsigned(await readTaskFrom(await this.snapshot(options.latest), issue, this.now()));
    if (task && task.untrusted.length > 0)
      throw new LedgerUntrustedError(
        issue,
        task.unsigned ? task.untrusted : await this.locateEntries(task.untrusted),
        task.unsigned,
      );
    return task;
  }

  /** The task with only okstra's own state derived, and everything else listed with its commit: what `status` shows. */
  async inspectTask(issue: number): Promise<TaskLedger | null> {
    const task = await this.confirmUnsigned(await readTaskFrom(await this.snapshot(), issue, this.now()));
    if (!task || task.untrusted.length === 0 || task.unsigned) return task;
    return { ...task, untrusted: await this.locateEntries(task.untrusted) };
  }

  /** The error with the commit that introduced each entry (the first LOCATE_LIMIT of them), looked up only now that something is untrusted. */
  async locate(error: LedgerUntrustedError): Promise<LedgerUntrustedError> {
    if (error.entries.every((e) => e.commit !== undefined)) return error;
    // A reader stops at the first untrusted file; the answer lists everything untrusted in the task.
    const task =
      error.issue === null
        ? null
        : await this.confirmUnsigned(await readTaskFrom(await this.snapshot(), error.issue, this.now()));
    const all = task && task.untrusted.length > 0 ? task.untrusted : error.entries;
    const unsigned = task ? task.unsigned : error.unsigned;
    return new LedgerUntrustedError(error.issue, unsigned ? all : await this.locateEntries(all), unsigned);
  }

  /**
   * "Written before okstra signed" is read off the branch, which anyone who can push writes: stripping every
   * signature would make forged state look like a legacy ledger to adopt. A task whose history ever held its
   * `signatures.json` was signed, so its unsigned state is a forgery, located and never offered for adoption.
   */
  private async confirmUnsigned(task: TaskLedger | null): Promise<TaskLedger | null> {
    if (!task?.unsigned || task.untrusted.length === 0) return task;
    return (await this.store.everHeld(taskPath(task.issue, SIGNATURES_FILE))) ? { ...task, unsigned: false } : task;
  }

  private async locateEntries(entries: UntrustedEntry[]): Promise<UntrustedEntry[]> {
    return Promise.all(
      entries.map(async (entry, i) => {
        if (i >= LOCATE_LIMIT || entry.commit !== undefined) return entry;
        const task = splitTaskPath(entry.file);
        const signatures = entry.line === null && task ? taskPath(task.issue, SIGNATURES_FILE) : undefined;
        const commit = await this.store.introducedBy(entry.file, entry.line, signatures).catch((err: unknown) => {
          this.log.warn({ err, file: entry.file }, "could not find the commit that introduced untrusted ledger state");
          return null;
        });
        return { ...entry, commit };
      }),
    );
  }

  /**
   * An admin's adoption (SPEC §14.5) of a task written before okstra signed its ledger, or holding
   * state they have checked: signs the task exactly as it stands at `shownAt`, the commit it was shown
   * at. Refused when the ledger moved since, so nothing is signed that was not shown.
   */
  async adoptTask(issue: number, shownAt: string): Promise<MutationOutcome<{ adoptedAt: string }>> {
    return this.mutate(async (view) => {
      if (view.commit !== shownAt)
        throw new LedgerInputError(
          `an adoption of #${issue} at ${shownAt.slice(0, 12)}`,
          `the ledger has moved since (now at ${view.commit?.slice(0, 12) ?? "nothing"}); comment \`/okstra adopt\` again to see what it holds now`,
        );
      if (!view.has(taskPath(issue, "task.json")))
        throw new LedgerInputError(`an adoption of #${issue}`, "the task has no ledger entry");
      return {
        changes: new Map(),
        message: `ledger(#${issue}): adopt the task as it stood at ${shownAt.slice(0, 12)}`,
        value: { adoptedAt: shownAt },
        adopt: issue,
      };
    });
  }

  /** Issue numbers of every task on the ledger. */
  async listTasks(): Promise<number[]> {
    return listTaskIssues(await this.store.snapshot(await this.head()));
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
  async claimStages(
    issue: number,
    run: string,
    stages: number[],
    leaseUntil: Date | string,
    baseCommit: string,
  ): Promise<MutationOutcome<ClaimResult>> {
    const now = this.now();
    const until = typeof leaseUntil === "string" ? leaseUntil : leaseUntil.toISOString();
    if (!(Date.parse(until) > now.getTime()))
      throw new LedgerInputError(`a claim until ${until}`, "the lease must end in the future");
    if (stages.length === 0) throw new LedgerInputError("a claim", "no stages named");
    return this.mutate(claimStagesMutation(issue, { run, stages, leaseUntil: until, baseCommit }, now));
  }

  /**
   * Starts a run (run.json, and task.json for a new task) — with `claim`, claiming its stages in the same
   * commit, all or none (StageDoneError / StageClaimedError start no run). DuplicateTriggerError when the
   * comment already started one.
   */
  async startRun(input: StartRunInput, claim?: Omit<ClaimRequest, "run">): Promise<StartedRun> {
    if (claim) {
      if (!(Date.parse(claim.leaseUntil) > input.now.getTime()))
        throw new LedgerInputError(`a claim until ${claim.leaseUntil}`, "the lease must end in the future");
      if (claim.stages.length === 0) throw new LedgerInputError("a claim", "no stages named");
    }
    return (await this.mutate(startRunMutation(input, claim))).value;
  }

  /** The task's runs, each run.json read once: which run a comment started, and what the runs spent. */
  async runs(issue: number): Promise<{ startedBy(commentId: number): string | null; spend: TaskSpend }> {
    const runs = await readTaskRuns(await this.snapshot(), issue);
    return { startedBy: (commentId) => runStartedBy(runs, commentId), spend: taskSpend(runs) };
  }

  /** Records a done stage — its carry, its `done` row and any rows `done.with` names — in one commit. */
  async recordStageDone(issue: number, done: StageDone): Promise<MutationOutcome<undefined>> {
    return this.mutate(stageDoneMutation(issue, done));
  }

  /** Extends the run's leases; LeaseLostError when the run no longer holds a stage. */
  async renewLeases(
    issue: number,
    run: string,
    stages: number[],
    leaseUntil: Date | string,
  ): Promise<MutationOutcome<{ renewed: number[] }>> {
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
  async writeFiles(
    issue: number,
    files: Readonly<Record<string, string | null>>,
    message?: string,
  ): Promise<MutationOutcome<{ written: string[] }>> {
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
