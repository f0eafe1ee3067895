import type { Ledger } from "../../ledger/index.js";
import type { Logger } from "../../util/log.js";

/**
 * Keeps a run's stage leases alive (SPEC §6.5): renews them well before they
 * expire; when a renewal is refused (another process took the stage after an
 * expiry) or keeps failing, it aborts the run's signal so the run stops before
 * acting further — it must not push or record work it no longer owns.
 */
export class LeaseKeeper {
  private timer: NodeJS.Timeout | null = null;
  private poll: NodeJS.Timeout | null = null;
  private stages: number[];
  readonly controller = new AbortController();

  constructor(
    private readonly ledger: Ledger,
    private readonly issue: number,
    private readonly run: string,
    stages: number[],
    private readonly leaseMs: number,
    /** The run's logger: it carries `run`. */
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.stages = [...stages];
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  leaseUntil(): Date {
    return new Date(this.now().getTime() + this.leaseMs);
  }

  /**
   * Renews well before expiry, and polls the ledger every few seconds for a
   * `cancelled` row (a `/okstra cancel` handled by another process): one ref
   * read while the ledger is unchanged.
   */
  start(cancelPollMs = 5_000): void {
    const every = Math.max(1_000, Math.floor(this.leaseMs / 3));
    this.timer = setInterval(() => void this.renew(), every);
    this.timer.unref();
    this.poll = setInterval(() => void this.checkCancelled(), cancelPollMs);
    this.poll.unref();
  }

  async checkCancelled(): Promise<void> {
    if (this.stages.length === 0 || this.controller.signal.aborted) return;
    try {
      const task = await this.ledger.readTask(this.issue);
      const cancel = task?.rows.find(
        (row, i) =>
          row.status === "cancelled" &&
          (row.run === this.run || row.stage === undefined) &&
          startedBefore(task.rows, i, this.run),
      );
      if (cancel) this.controller.abort(new Error(`cancelled (${cancel.run})`));
    } catch (error) {
      this.log.debug({ err: error }, "cancellation poll failed; trying again");
    }
  }

  /** Stages re-claimed for a retry are renewed again. */
  track(stages: number[]): void {
    this.stages = [...new Set([...this.stages, ...stages])];
  }

  /** A stage that ended (done or failed) no longer needs its lease. */
  release(stage: number): void {
    this.stages = this.stages.filter((s) => s !== stage);
  }

  async renew(): Promise<void> {
    if (this.stages.length === 0 || this.controller.signal.aborted) return;
    try {
      await this.ledger.renewLeases(this.issue, this.run, this.stages, this.leaseUntil());
    } catch (error) {
      this.log.warn({ err: error, stages: this.stages }, "stage lease lost; stopping the run");
      this.controller.abort(
        new Error(`lost the lease on stages ${this.stages.join(", ")}: ${(error as Error).message}`),
      );
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.poll) clearInterval(this.poll);
    this.timer = null;
    this.poll = null;
  }
}

/** A cancel counts for a run only when it came after the run claimed something. */
function startedBefore(rows: ReadonlyArray<{ status: string; run: string }>, index: number, run: string): boolean {
  return rows.slice(0, index).some((row) => row.status === "started" && row.run === run);
}
