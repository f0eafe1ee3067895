import type { EventEmitter } from "node:events";
import { createServer, type Server } from "node:http";
import { createProbot, type Probot, type ProbotOctokit } from "probot";
import {
  createBullmqQueue,
  DEFAULT_QUEUE_NAME,
  type BullmqJobQueue,
  type BullmqQueueOptions,
} from "../queue/bullmq.js";
import { githubJobProcessor, type GithubProcessorOptions } from "../queue/github-processor.js";
import { closeWithinGrace, nextShutdownSignal } from "../queue/graceful-shutdown.js";
import type { JobProcessor } from "../queue/types.js";
import type { ScheduleJob } from "../queue/recovery-jobs.js";
import { readOperatorSettings } from "../config/settings.js";
import { startOrphanSweeper } from "../workspace/orphan-sweeper.js";
import { opsHandler } from "../server/ops-routes.js";
import { createLogger, type Logger } from "../util/log.js";
import { OkstraOctokit } from "../octokit.js";
import { CliUsageError, EXIT, type CliIo } from "./io.js";

export const WORKER_USAGE = `okstra worker [--concurrency N] [--queue NAME] [--grace-period SECONDS] [--metrics-port PORT] [--metrics-host HOST]
      Run queued commands from Redis (REDIS_URL) with the App's credentials (APP_ID, PRIVATE_KEY).
      SIGTERM/SIGINT: stop taking jobs, finish the running ones within the grace period (default 25 s).`;

export interface QueueWorkerDeps {
  env?: NodeJS.ProcessEnv;
  /** Where SIGTERM/SIGINT come from (the process). */
  signals?: EventEmitter;
  log?: Logger;
  /** The job processor; okstra's GitHub processor unless given (the tests' child workers record jobs instead). */
  createProcessor?: (probot: Probot) => JobProcessor;
  /** Lock and stalled-check timing; the tests shorten them to see a lost job come back in seconds. */
  queueOptions?: Pick<BullmqQueueOptions, "lockDurationMs" | "stalledIntervalMs">;
  /** How often orphaned run directories are swept (default every minute); the fault-injection test shortens it. */
  sweepIntervalMs?: number;
  /** Ends the process when a job outlives the grace period, or when something still holds it open after a clean stop. */
  exit?: (code: number) => void;
  /** The Octokit class Probot builds its clients from (the end-to-end tests turn throttling off); okstra's unless given. */
  Octokit?: typeof ProbotOctokit;
  /** Passed to okstra's GitHub processor (the end-to-end tests edit status comments unspaced). */
  processorOptions?: Pick<GithubProcessorOptions, "statusIntervalMs">;
}

interface WorkerArgs {
  concurrency: number;
  queueName: string;
  graceMs: number;
  metricsPort?: number;
  metricsHost: string;
}

/**
 * `okstra worker`: a process that only consumes jobs from Redis, so webhook
 * intake and command work scale apart (SPEC §11). Resolves with the exit
 * code once a shutdown signal has been handled.
 */
export async function runQueueWorker(args: string[], io: CliIo, deps: QueueWorkerDeps = {}): Promise<number> {
  const env = deps.env ?? process.env;
  const settings = readOperatorSettings(env);
  const options = parseWorkerArgs(args, env);
  const redisUrl = settings.queue.redisUrl;
  if (!redisUrl) throw new CliUsageError("okstra worker needs REDIS_URL: the Redis the web process queues commands in");
  const log = deps.log ?? createLogger();
  const exit = deps.exit ?? ((code: number) => process.exit(code));
  const probot = appProbot(env, log, deps.Octokit);
  // The processor schedules crash-recovery checks on the queue it consumes: bound once both exist.
  let queue: BullmqJobQueue | undefined;
  const scheduleJob: ScheduleJob = (job, enqueueOptions) => queue!.enqueue(job, enqueueOptions);
  const processor = (
    deps.createProcessor ??
    ((app: Probot) => githubJobProcessor(app, { ...deps.processorOptions, settings, scheduleJob }))
  )(probot);

  // Listen before connecting: a signal during start-up still shuts down cleanly.
  const shutdown = nextShutdownSignal(deps.signals);
  queue = createBullmqQueue({
    ...deps.queueOptions,
    connection: redisUrl,
    log,
    processor,
    concurrency: options.concurrency,
    queueName: options.queueName,
  });
  // Redis may be down at start: the worker waits for it, but a signal meanwhile still stops it.
  const startedFirst = await Promise.race([queue.ready().then(() => true), shutdown.then(() => false)]);
  const ops =
    startedFirst && options.metricsPort !== undefined
      ? await startOpsServer(queue, options.metricsPort, options.metricsHost)
      : undefined;
  // Run directories of processes that died on this host (a SIGKILLed worker) go at start and every minute.
  const stopSweeper = startedFirst ? startOrphanSweeper(log, { intervalMs: deps.sweepIntervalMs }) : () => undefined;
  if (startedFirst) {
    log.info(
      {
        queue: options.queueName,
        concurrency: options.concurrency,
        metrics: ops ? `${options.metricsHost}:${addressPort(ops)}` : undefined,
      },
      "queue worker ready",
    );
    io.stderr(
      `okstra worker: consuming ${options.queueName} (concurrency ${options.concurrency}); SIGTERM or Ctrl-C stops it\n`,
    );
  }

  const signal = await shutdown;
  stopSweeper();
  log.info({ signal, graceSeconds: options.graceMs / 1000 }, "stopping: no new jobs; waiting for the running ones");
  // A second signal cuts the grace period short.
  const impatient = nextShutdownSignal(deps.signals).then(() => "timed-out" as const);
  const result = await Promise.race([closeWithinGrace(() => queue.close(), options.graceMs), impatient]);
  ops?.close();
  if (result === "timed-out") {
    log.warn("a job is still running; exiting without it — its lock expires and another worker runs it again");
    exit(EXIT.refused);
    return EXIT.refused;
  }
  log.info("queue worker stopped");
  // Probot's Redis-backed request throttling keeps a connection it never closes; do not let it hold the process.
  setTimeout(() => exit(EXIT.ok), 2_000).unref();
  return EXIT.ok;
}

export function parseWorkerArgs(args: string[], env: NodeJS.ProcessEnv = {}): WorkerArgs {
  // The environment's queue settings, read where every other process reads them; a flag overrides them.
  const { concurrency, queueName } = readOperatorSettings(env).queue;
  const parsed: WorkerArgs = {
    concurrency: concurrency ?? 2,
    queueName: queueName ?? DEFAULT_QUEUE_NAME,
    graceMs: 25_000,
    metricsHost: "127.0.0.1",
  };
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i], args[i + 1]];
    if (value === undefined) throw new CliUsageError(`${flag} needs a value`);
    const count = (name: string) => {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0) throw new CliUsageError(`${name} must be a whole number, got \`${value}\``);
      return n;
    };
    switch (flag) {
      case "--concurrency":
        parsed.concurrency = Math.max(1, count(flag));
        break;
      case "--queue":
        if (value.includes(":")) throw new CliUsageError("--queue must not contain `:`");
        parsed.queueName = value;
        break;
      case "--grace-period":
        parsed.graceMs = count(flag) * 1000;
        break;
      case "--metrics-port":
        parsed.metricsPort = count(flag);
        break;
      case "--metrics-host":
        parsed.metricsHost = value;
        break;
      default:
        throw new CliUsageError(`unknown option \`${flag}\` for okstra worker`);
    }
  }
  return parsed;
}

/** The App's Probot, configured like `npm start`'s: APP_ID, PRIVATE_KEY(_PATH), GHE_HOST, REDIS_URL for shared throttling. */
function appProbot(env: NodeJS.ProcessEnv, log: Logger, Octokit: typeof ProbotOctokit | undefined): Probot {
  try {
    // okstra's Octokit, as `npm start` uses: 409/422 from a lost ledger race are never retried blindly (SPEC §10).
    return createProbot({ env, overrides: { log, Octokit: Octokit ?? OkstraOctokit } });
  } catch (error) {
    throw new CliUsageError(
      `okstra worker needs the App's credentials, APP_ID and PRIVATE_KEY (or PRIVATE_KEY_PATH): ${(error as Error).message}`,
    );
  }
}

/** `/metrics` and `/healthz` for the worker process, which has no Probot server of its own. */
async function startOpsServer(queue: BullmqJobQueue, port: number, host: string): Promise<Server> {
  const handle = opsHandler({ queue });
  const server = createServer((req, res) => {
    handle(req, res).then(
      (answered) => answered || res.writeHead(404).end(),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(port, host, resolve));
  return server;
}

function addressPort(server: Server): number {
  return (server.address() as { port: number }).port;
}
