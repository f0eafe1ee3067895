/**
 * The operator's settings: what the person running okstra sets in its environment, as opposed to a
 * repository's `.github/okstra.yml`. Read here, once per process, and passed in; no module below the
 * composition roots (app.ts, the CLI, `okstra worker`) reads `process.env` for them.
 *
 * Still read where they act, as process-wide facts rather than per-job choices: the sandbox switch
 * (`OKSTRA_SANDBOX`, `OKSTRA_BWRAP`, sandbox/policy.ts), git's stall limit (`OKSTRA_GIT_LOW_SPEED_SECONDS`,
 * util/git.ts), `LOG_LEVEL`, the secrets redaction looks for (util/redact.ts), the ledger signing key
 * (`OKSTRA_LEDGER_KEY*`, ledger/ledger-key.ts), the model-endpoint allow-list (config/model-endpoints.ts)
 * and the mirror cache (`OKSTRA_CACHE_DIR`).
 */

/** Default stage lease (SPEC §6.5): renewed every third of it while the run lives. */
export const DEFAULT_LEASE_MS = 10 * 60_000;

export interface QueueSettings {
  /** `REDIS_URL`: BullMQ on that Redis; unset, the in-process queue. */
  redisUrl?: string;
  /** `OKSTRA_INLINE_WORKER=1`: the web process also runs the jobs it queues on Redis. */
  inlineWorker: boolean;
  /** `OKSTRA_QUEUE_NAME`. */
  queueName?: string;
  /** `OKSTRA_WORKER_CONCURRENCY`. */
  concurrency?: number;
}

export interface OperatorSettings {
  /** `OKSTRA_LEASE_SECONDS`: how long a silent process keeps its stages. */
  leaseMs: number;
  /** `OKSTRA_COMMAND_WORKERS=1`: the App runs `command` workers (SPEC §14.6). */
  commandWorkers: boolean;
  /** `GHE_HOST`/`GHE_PROTOCOL`: the GitHub server's web address, for clone URLs and ledger links. */
  serverUrl: string;
  /** `METRICS_TOKEN`: the bearer token `/metrics` asks for. */
  metricsToken?: string;
  queue: QueueSettings;
}

/** Every setting at once; a malformed value throws naming the variable and what it takes. */
export function readOperatorSettings(env: NodeJS.ProcessEnv = process.env): OperatorSettings {
  return {
    leaseMs: leaseMsFromEnvironment(env),
    commandWorkers: env.OKSTRA_COMMAND_WORKERS === "1",
    serverUrl: serverUrlFromEnvironment(env),
    metricsToken: env.METRICS_TOKEN || undefined,
    queue: {
      redisUrl: env.REDIS_URL || undefined,
      inlineWorker: env.OKSTRA_INLINE_WORKER === "1",
      queueName: env.OKSTRA_QUEUE_NAME || undefined,
      concurrency: positiveInteger(env.OKSTRA_WORKER_CONCURRENCY, "OKSTRA_WORKER_CONCURRENCY"),
    },
  };
}

export function leaseMsFromEnvironment(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.OKSTRA_LEASE_SECONDS;
  if (raw === undefined || raw === "") return DEFAULT_LEASE_MS;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds < 3)
    throw new Error(`OKSTRA_LEASE_SECONDS must be a number of seconds ≥ 3, got "${raw}"`);
  return Math.round(seconds * 1000);
}

/** `GHE_HOST`/`GHE_PROTOCOL` point Probot at GitHub Enterprise; clone URLs follow. */
export function serverUrlFromEnvironment(env: NodeJS.ProcessEnv = process.env): string {
  const host = env.GHE_HOST;
  return host ? `${env.GHE_PROTOCOL ?? "https"}://${host}` : "https://github.com";
}

/** Undefined when unset; a typo must not silently become the default. */
export function positiveInteger(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === "") return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`${name} must be a positive integer, got "${value}"`);
  return parsed;
}
