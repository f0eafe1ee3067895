/**
 * Typed refusals and failures of the ledger (STYLE §10): a handler renders
 * these; nothing downstream matches on message text.
 */

export class LedgerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A ledger file that cannot be read as what it claims to be. Every mutation of the task refuses until it is fixed. */
export class LedgerCorruptError extends LedgerError {
  constructor(
    /** Path on the ledger branch. */
    readonly file: string,
    /** 1-based line, when the problem is on one line. */
    readonly line: number | null,
    readonly problem: string,
  ) {
    super(`ledger file ${file}${line === null ? "" : ` line ${line}`} is corrupt: ${problem}`);
  }
}

/** Every attempt of a mutation lost the compare-and-swap to another writer. */
export class LedgerContentionError extends LedgerError {
  constructor(
    readonly attempts: number,
    readonly lastDetail: string,
  ) {
    super(
      `ledger write lost the race to other writers ${attempts} times in a row; giving up (last: ${lastDetail}). Retry the command.`,
    );
  }
}

export interface ClaimConflict {
  stage: number;
  run: string;
  leaseUntil: string;
}

/** A claim refused because another run holds a lease on a requested stage. */
export class StageClaimedError extends LedgerError {
  readonly stage: number;
  readonly run: string;
  readonly leaseUntil: string;
  constructor(readonly conflicts: ClaimConflict[]) {
    const first = conflicts[0]!;
    super(conflicts.map((c) => `stage ${c.stage} is claimed by run ${c.run} until ${c.leaseUntil}`).join("; "));
    this.stage = first.stage;
    this.run = first.run;
    this.leaseUntil = first.leaseUntil;
  }
}

/** A claim refused because the stage already has an effective `done`. */
export class StageDoneError extends LedgerError {
  constructor(
    readonly stage: number,
    readonly run: string,
    readonly headCommit: string,
  ) {
    super(`stage ${stage} is already done (run ${run}, head ${headCommit.slice(0, 12)})`);
  }
}

/** A lease renewal refused because the run no longer holds the stage (it ended, was abandoned or was cancelled). */
export class LeaseLostError extends LedgerError {
  constructor(
    readonly stage: number,
    readonly run: string,
    readonly reason: string,
  ) {
    super(`run ${run} no longer holds stage ${stage}: ${reason}`);
  }
}

/** The task has no `task.json` yet, so rows cannot be appended to it. */
export class TaskNotFoundError extends LedgerError {
  constructor(readonly issue: number) {
    super(`task #${issue} has no ledger entry (no tasks/${issue}/task.json)`);
  }
}

/** A caller handed the ledger something it must not write (a bad row, a file outside the task, an invalid task.json). */
export class LedgerInputError extends LedgerError {
  constructor(
    readonly what: string,
    readonly problem: string,
  ) {
    super(`refusing to write ${what}: ${problem}`);
  }
}

/** A row or file on the ledger branch that okstra did not write (SPEC §14.5). */
export interface UntrustedEntry {
  /** Path on the ledger branch. */
  file: string;
  /** 1-based line of `ledger.jsonl`, or null for a whole file. */
  line: number | null;
  problem: string;
  /** The ledger commit that introduced it, once located (Ledger.locate); null when it could not be found. */
  commit?: string | null;
}

/**
 * The task holds state okstra did not write: okstra acts on none of it and
 * refuses to act on the task until it is repaired (revert the commit that
 * introduced it) or, for a ledger written before okstra signed its state,
 * adopted by an admin (`/okstra adopt`).
 */
export class LedgerUntrustedError extends LedgerError {
  constructor(
    readonly issue: number | null,
    readonly entries: UntrustedEntry[],
    /** Nothing in the task was ever signed: a ledger from before signing, not a forgery on top of a signed one. */
    readonly unsigned: boolean,
  ) {
    super(`the ledger holds state okstra did not write: ${entries.map(describeEntry).join("; ")}`);
  }
}

function describeEntry(entry: UntrustedEntry): string {
  const where = `${entry.file}${entry.line === null ? "" : ` line ${entry.line}`}`;
  const commit = entry.commit ? `, introduced by ${entry.commit.slice(0, 12)}` : "";
  return `${where} (${entry.problem}${commit})`;
}

/** An approval refused because the plan on the ledger is no longer the one approved (replaced, or the task gone). */
export class PlanChangedError extends LedgerError {
  constructor(
    readonly issue: number,
    /** The digest of the plan that was shown and approved. */
    readonly digest: string,
  ) {
    super(`the plan of #${issue} changed while plan ${digest.slice(0, 12)} was being approved`);
  }
}

/** A ship claim refused: another run is shipping some of the stages right now. */
export class ShipClaimedError extends LedgerError {
  constructor(readonly held: Array<{ stage: number; run: string; until: string }>) {
    super(held.map((c) => `stage ${c.stage} is being shipped by run ${c.run} (claimed until ${c.until})`).join("; "));
  }
}

/** A ship claim refused: a group PR recorded meanwhile already covers some of the stages. */
export class StageShippedError extends LedgerError {
  constructor(readonly covered: Array<{ stage: number; group: number }>) {
    super(covered.map((c) => `stage ${c.stage} is already shipped in #${c.group}`).join("; "));
  }
}
