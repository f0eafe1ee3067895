import type { Logger } from "../../util/log.js";
import type { EngineServices } from "../context.js";

/**
 * The port an implementation run uses to ask for a crash-recovery check of
 * its task (SPEC §10). On GitHub it is a delayed queue job (BullMQ keeps it
 * in Redis, so it survives the process that scheduled it); the local CLI has
 * none — there, the next `implement`/`retry`/`verify` reconciles first.
 */
export interface RecoveryScheduler {
  /** A recovery check of the task at `at` (or soon after). Idempotent per task and time. */
  checkAt(issue: number, at: Date): Promise<void>;
}

/** Default stage lease (SPEC §6.5); the operator's `OKSTRA_LEASE_SECONDS` is read in config/settings.ts. */
import { DEFAULT_LEASE_MS } from "../../config/settings.js";

export { DEFAULT_LEASE_MS };

/**
 * How long after a lease's end the check runs: long enough that a renewal
 * merely delayed by a slow API is not mistaken for a crash, short enough
 * that a crashed stage is ready again soon after its lease.
 */
export function recoveryGraceMs(leaseMs: number): number {
  return Math.min(15_000, Math.max(1_000, Math.floor(leaseMs / 4)));
}

/**
 * Schedules the check for just after `leaseUntil`. Never fatal: a run whose
 * check could not be scheduled still runs, and its leases are reconciled by
 * the next command on the task or by the start-up sweep.
 */
export async function scheduleRecoveryCheck(
  services: Pick<EngineServices, "recovery" | "leaseMs">,
  issue: number,
  leaseUntil: Date,
  log: Logger,
): Promise<void> {
  if (!services.recovery) return;
  const at = new Date(leaseUntil.getTime() + recoveryGraceMs(services.leaseMs));
  try {
    await services.recovery.checkAt(issue, at);
  } catch (error) {
    log.warn(
      { err: error, at: at.toISOString() },
      "could not schedule the crash-recovery check; the next command on the task reconciles instead",
    );
  }
}
