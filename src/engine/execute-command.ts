import { parseComment } from "../commands/parse.js";
import type { Command, ParsedComment } from "../commands/types.js";
import type { CommandJob, ReverifyJob } from "../jobs/types.js";
import { renderRefusal } from "../render/reply.js";
import { childLogger } from "../util/log.js";
import { adoptCommand } from "./commands/adopt.js";
import { SANDBOX_HELP, sandboxState } from "../sandbox/index.js";
import { cancelCommand } from "./commands/cancel.js";
import { helpCommand } from "./commands/help.js";
import { statusCommand } from "./commands/status.js";
import { shipCommand } from "./handoff/ship-command.js";
import { implementCommand } from "./implementation/run-implementation.js";
import { approveCommand } from "./planning/approve.js";
import { planCommand } from "./planning/run-planning.js";
import { type CommandContext, type EngineServiceOptions, type EngineServices, engineServices } from "./context.js";
import { resolveCommandTarget, withDefaultStage } from "./pull-requests/command-target.js";
import { replyChannel } from "./run/reply-channel.js";
import { restackCommand } from "./restack/restack-command.js";
import { reviseCommand } from "./revise/revise-command.js";
import { countRun } from "./run/run-metrics.js";
import { newRunState } from "./run/run-state.js";
import { StatusComment } from "./run/status-comment.js";
import { executeReverify } from "./verification/reverify.js";
import { verifyCommand } from "./verification/verify-command.js";
import { authorisedRun, type CommandOutcome, type RunRequest } from "./run/authorised-run.js";

export type { CommandOutcome } from "./run/authorised-run.js";

/**
 * Carrying out one `/okstra` comment (or a re-run stage check, verification/reverify.ts), once it is off the queue, inside the authorised-run pipeline
 * (run/authorised-run.ts: authorise → 👀 → refuse an invalid configuration → run → finish):
 * 1. parse the command, refusing a malformed one with its usage;
 * 2. find its task: the issue, or the task of okstra's PR it was written on (SPEC §15.1);
 * 3. refuse a worker-running verb on a host that cannot sandbox;
 * 4. hand the command to its verb, which keeps the run status comment.
 * Every answer goes where the command was written (a review comment's in its thread).
 * Every job is counted once when it ends (`okstra_runs_total`), refusals before the verb included.
 */
export async function executeCommand(
  job: CommandJob | ReverifyJob,
  options: EngineServiceOptions,
): Promise<CommandOutcome> {
  const services = engineServices(options);
  // A re-requested stage check run is not a comment: the same pipeline, no comment to answer (verification/reverify.ts).
  if (job.kind === "reverify")
    return countRun(
      services.metrics,
      "reverify",
      () => executeReverify(job, services),
      (outcome) => outcome.result,
    );
  const parsed = parseComment(job.comment.body);
  return countRun(
    services.metrics,
    runPhase(parsed),
    () => executeComment(job, parsed, services),
    (outcome) => outcome.result,
  );
}

/**
 * The `phase` label of `okstra_runs_total` for a comment: its verb, or
 * `invalid` for a malformed `/okstra` comment and `unknown` for one that is
 * not a command at all.
 */
function runPhase(parsed: ParsedComment): string {
  if (parsed.kind === "command") return parsed.command.verb;
  return parsed.kind === "invalid" ? "invalid" : "unknown";
}

async function executeComment(
  job: CommandJob,
  parsed: ParsedComment,
  services: EngineServices,
): Promise<CommandOutcome> {
  const { platform } = services;
  const log = childLogger(services.log, { task: job.issueNumber, deliveryId: job.deliveryId, comment: job.comment.id });
  if (parsed.kind === "not-a-command") return { result: "refused", reason: "the comment does not start with /okstra" };
  const channel = replyChannel(platform, job);
  const request: RunRequest = {
    actor: job.comment.author,
    issue: job.issueNumber,
    needs: "okstra commands need",
    askInstead: "Ask a maintainer with that permission to comment the command.",
    again: "comment the command again",
    log,
    postRefusal: async (problem, instead) => {
      await channel.post(renderRefusal(job.comment.id, parsed.line, problem, instead));
    },
    acknowledge: () => channel.react("eyes"),
  };
  return authorisedRun(services, request, async (config, refuse) => {
    if (parsed.kind === "invalid") return refuse(parsed.problem, parsed.usage);
    const target = await resolveCommandTarget(job, services);
    if (target.kind === "foreign-pull") return refuse(target.problem, target.instead);
    // SPEC §14.1: no worker runs unconfined unless the operator said so; nothing is started.
    const sandbox = sandboxState();
    if (sandbox.mode === "unavailable" && RUNS_WORKERS.has(parsed.command.verb)) {
      return refuse(
        `okstra runs no worker without a sandbox, and none can be made on this host: ${sandbox.reason}.`,
        SANDBOX_HELP,
      );
    }
    const statusOptions = {
      minIntervalMs: services.statusIntervalMs,
      now: services.now,
      channel,
      rateLimitWaits: services.rateLimitWaits,
    };
    const context: CommandContext = {
      // From here on the job is the task's: `issueNumber` is task N even when the command was written on one of its PRs.
      job: { ...job, issueNumber: target.task },
      pullRequest: target.pull,
      command: withDefaultStage(parsed.command, target.pull?.stage),
      commandLine: parsed.line,
      guidance: parsed.guidance,
      config,
      services,
      log,
      status: new StatusComment(platform, job.issueNumber, statusOptions, (err) =>
        context.log.warn({ err }, "status comment update failed"),
      ),
      run: newRunState(parsed.line, job.comment.id, services.now()),
    };
    // A verb that starts a run gives the context its run's logger: refusals and errors then name the run.
    return {
      status: context.status,
      run: context.run,
      get log() {
        return context.log;
      },
      execute: () => dispatch(parsed.command, context),
    };
  });
}

/** The verbs that start workers or repository commands. */
const RUNS_WORKERS = new Set<Command["verb"]>(["plan", "replan", "implement", "retry", "verify", "approve"]);

function dispatch(command: Command, context: CommandContext): Promise<void> {
  switch (command.verb) {
    case "help":
      return helpCommand(context);
    case "status":
      return statusCommand(context);
    case "plan":
    case "replan":
      return planCommand(context);
    case "approve":
      return approveCommand(context);
    case "implement":
    case "retry":
      return implementCommand(context);
    case "cancel":
      return cancelCommand(context);
    case "verify":
      return verifyCommand(context);
    case "ship":
      return shipCommand(context);
    case "revise":
      return reviseCommand(context);
    case "restack":
      return restackCommand(context);
    case "adopt":
      return adoptCommand(context);
    default:
      return unreachable(command);
  }
}

/** Every verb has a case above; a new verb without one fails to compile here. */
function unreachable(command: never): never {
  throw new Error(`no handler for ${JSON.stringify(command)}`);
}
