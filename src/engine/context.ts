import type { Command } from "../commands/types.js";
import type { OkstraConfig } from "../config/schema.js";
import type { Platform, RateLimitWaits } from "../platform/types.js";
import type { CommandJob } from "../jobs/types.js";
import type { Logger } from "../util/log.js";
import type { RunState } from "./run/run-state.js";
import type { StatusComment } from "./run/status-comment.js";
import type { Ledger } from "../ledger/index.js";
import type { OkstraMetrics } from "../server/metrics.js";
import { workerPort, type WorkerPort } from "../workers/port.js";
import { DEFAULT_LEASE_MS, type RecoveryScheduler } from "./recovery/schedule.js";

/** What a composition root (the job processor, the CLI, a test) passes in; `engineServices` fills the rest. */
export interface EngineServiceOptions {
  platform: Platform;
  ledger: Ledger;
  log: Logger;
  now?: () => Date;
  /** Minimum time between two status comment edits; SPEC §8 asks for ≥ 2 s. */
  statusIntervalMs?: number;
  /** Schedules crash-recovery checks of a task's leases (SPEC §10); absent on the local CLI. */
  recovery?: RecoveryScheduler;
  /** How long a stage lease lasts without renewal (the operator's `OKSTRA_LEASE_SECONDS`); 10 minutes by default. */
  leaseMs?: number;
  /** Where runs and worker calls are counted (`/metrics`); without it nothing is counted. */
  metrics?: OkstraMetrics;
  /** False on the App unless `OKSTRA_COMMAND_WORKERS=1` (SPEC §14.6); the CLI and tests keep them. */
  commandWorkers?: boolean;
  /** Rate-limit waits of this job's platform requests (GitHub); the status comment shows them. */
  rateLimitWaits?: RateLimitWaits;
  /** Runs the workers; the built-in providers by default, an in-process one in an engine test. */
  workers?: WorkerPort;
}

/** What the engine is given per job, defaults filled: ports only, never a global (STYLE §3). */
export interface EngineServices extends EngineServiceOptions {
  now: () => Date;
  leaseMs: number;
  workers: WorkerPort;
}

/**
 * The one place the engine's defaults are filled. Every entry point of the engine calls it on what it was
 * given (calling it twice changes nothing), so code inside reads `services.now()` and never a fallback.
 */
export function engineServices(options: EngineServiceOptions): EngineServices {
  return {
    ...options,
    now: options.now ?? (() => new Date()),
    leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS,
    workers: options.workers ?? workerPort(),
  };
}

/** Everything a verb needs to carry out one accepted command. */
export interface CommandContext {
  job: CommandJob;
  /** The okstra PR the command was written on, if any, and its stage for a stage PR (SPEC §15.1). */
  pullRequest?: { number: number; stage?: number };
  command: Command;
  commandLine: string;
  guidance: string;
  config: OkstraConfig;
  services: EngineServices;
  log: Logger;
  status: StatusComment;
  run: RunState;
}
