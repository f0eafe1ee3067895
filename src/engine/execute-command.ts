import { parseComment } from "../commands/parse.js";
import type { Command, ParsedComment } from "../commands/types.js";
import { authoriseAndLoadConfig, type ConfigProblem } from "../config/load.js";
import { LedgerCorruptError, LedgerUntrustedError } from "../ledger/errors.js";
import type { CommandJob, ReverifyJob } from "../queue/types.js";
import { renderRefusal } from "../render/reply.js";
import { renderUntrustedRefusal } from "../render/untrusted-ledger.js";
import { childLogger, type Logger } from "../util/log.js";
import { redactSecrets } from "../util/redact.js";
import { adoptCommand } from "./commands/adopt.js";
import { SANDBOX_HELP, sandboxState } from "../sandbox/index.js";
import { cancelCommand } from "./commands/cancel.js";
import { helpCommand } from "./commands/help.js";
import { statusCommand } from "./commands/status.js";
import { shipCommand } from "./handoff/ship-command.js";
import { implementCommand } from "./implementation/run-implementation.js";
import { approveCommand } from "./planning/approve.js";
import { planCommand } from "./planning/run-planning.js";
import type { CommandContext, EngineServices } from "./context.js";
import { CommandRefusal } from "./refusal.js";
import { PlanNotApprovedError } from "../plan/approved-task.js";
import { resolveCommandTarget, withDefaultStage } from "./pull-requests/command-target.js";
import { replyChannel } from "./run/reply-channel.js";
import { restackCommand } from "./restack/restack-command.js";
import { reviseCommand } from "./revise/revise-command.js";
import { countRun } from "./run/run-metrics.js";
import { newRunState } from "./run/run-state.js";
import { StatusComment } from "./run/status-comment.js";
import { executeReverify } from "./verification/reverify.js";
import { verifyCommand } from "./verification/verify-command.js";
import { firstLine } from "../util/text.js";

export type CommandOutcome =
  | { result: "carried-out"; commentId: number | null }
  | { result: "refused"; reason: string }
  | { result: "failed"; reason: string };

/**
 * Carrying out one `/okstra` comment, once it is off the queue:
 * 1. authorise the commenter live (`write` first, before the configuration
 *    is even read), then load the configuration from the default branch and
 *    hold the commenter to its `minimumPermission`;
 * 2. (the two are one step, so a stranger cannot make okstra parse the file);
 * 3. acknowledge with 👀;
 * 4. refuse an invalid configuration, listing every problem by key path;
 * 5. parse the command, refusing a malformed one with its usage;
 * 6. find its task: the issue, or the task of okstra's PR it was written on (SPEC §15.1);
 * 7. hand the command to its verb, which keeps the run status comment.
 * Every answer goes where the command was written (a review comment's in its thread).
 * Every job is counted once when it ends (`okstra_runs_total`), refusals
 * before the verb included.
 */
export async function executeCommand(job: CommandJob | ReverifyJob, services: EngineServices): Promise<CommandOutcome> {
  // A re-requested stage check run is not a comment: it has its own pipeline (same steps, no comment to answer).
  if (job.kind === "reverify") return countRun(services.metrics, "reverify", () => executeReverify(job, services), (outcome) => outcome.result);
  const parsed = parseComment(job.comment.body);
  return countRun(services.metrics, runPhase(parsed), () => executeComment(job, parsed, services), (outcome) => outcome.result);
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

async function executeComment(job: CommandJob, parsed: ParsedComment, services: EngineServices): Promise<CommandOutcome> {
  const { platform } = services;
  const log = childLogger(services.log, { task: job.issueNumber, deliveryId: job.deliveryId, comment: job.comment.id });
  if (parsed.kind === "not-a-command") return { result: "refused", reason: "the comment does not start with /okstra" };
  const channel = replyChannel(platform, job);
  // A verb that started a run refuses through its run's logger (`context.log`), so the line names the run.
  const refuse = async (problem: string, instead?: string, refusedLog: Logger = log): Promise<CommandOutcome> => {
    await channel.post(renderRefusal(job.comment.id, parsed.line, problem, instead));
    refusedLog.info({ problem }, "command refused");
    return { result: "refused", reason: problem };
  };

  const access = await authoriseAndLoadConfig(platform, job.comment.author, { commandWorkers: services.commandWorkers });
  if (!access.authorised) {
    return refuse(
      `@${job.comment.author} has \`${access.permission}\` permission on this repository; okstra commands need \`${access.required}\` or higher.`,
      "Ask a maintainer with that permission to comment the command.",
    );
  }
  const { config } = access;

  await channel.react("eyes");

  if (!config.ok) return refuse(renderConfigProblems(config.problems), "Fix `.github/okstra.yml` on the default branch, then comment the command again.");
  if (parsed.kind === "invalid") return refuse(parsed.problem, parsed.usage);
  const target = await resolveCommandTarget(job, services);
  if (target.kind === "foreign-pull") return refuse(target.problem, target.instead);
  // SPEC §14.1: no worker runs unconfined unless the operator said so; nothing is started.
  const sandbox = sandboxState();
  if (sandbox.mode === "unavailable" && RUNS_WORKERS.has(parsed.command.verb)) {
    return refuse(`okstra runs no worker without a sandbox, and none can be made on this host: ${sandbox.reason}.`, SANDBOX_HELP);
  }

  const context: CommandContext = {
    // From here on the job is the task's: `issueNumber` is task N even when the command was written on one of its PRs.
    job: { ...job, issueNumber: target.task },
    pullRequest: target.pull,
    command: withDefaultStage(parsed.command, target.pull?.stage),
    commandLine: parsed.line,
    guidance: parsed.guidance,
    config: config.config,
    services,
    log,
    status: new StatusComment(platform, job.issueNumber, { minIntervalMs: services.statusIntervalMs, now: services.now, channel, rateLimitWaits: services.rateLimitWaits }, (err) =>
      context.log.warn({ err }, "status comment update failed"),
    ),
    run: newRunState(parsed.line, job.comment.id, (services.now ?? (() => new Date()))()),
  };

  try {
    await dispatch(parsed.command, context);
    // A verb that ran but whose run failed has said why on its status comment; the caller (CLI exit code) needs to know too.
    if (context.run.outcome === "failed" || context.run.outcome === "cancelled") return { result: "failed", reason: firstLine(context.run.body ?? `the run ${context.run.outcome === "cancelled" ? "was cancelled" : "failed"}`) };
    return { result: "carried-out", commentId: context.status.id };
  } catch (error) {
    if (error instanceof CommandRefusal || error instanceof PlanNotApprovedError) return refuse(error.problem, error.instead, context.log);
    if (error instanceof LedgerUntrustedError) {
      // Located only now: the commit that introduced the state is part of the answer.
      const located = await services.ledger.locate(error);
      const { problem, instead } = renderUntrustedRefusal(located.issue ?? job.issueNumber, located.entries, located.unsigned);
      return refuse(problem, instead, context.log);
    }
    if (error instanceof LedgerCorruptError) {
      return refuse(
        `the ledger of this task cannot be read: ${error.message}. okstra writes nothing over it.`,
        "Repair or revert that file on the `okstra/ledger` branch, then comment the command again.",
        context.log,
      );
    }
    context.log.error({ err: error }, "command failed");
    // The reason is shown on the issue: never let a credential from an error message through.
    const reason = redactSecrets(error instanceof Error ? error.message : String(error));
    context.run.outcome = "failed";
    context.run.body = `okstra hit an error and stopped: ${reason}`;
    context.run.finishedAt = (services.now ?? (() => new Date()))().toISOString();
    await context.status.finish(context.run).catch((err: unknown) => context.log.error({ err }, "could not write the final status"));
    return { result: "failed", reason };
  }
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

function renderConfigProblems(problems: ConfigProblem[]): string {
  const list = problems.map((p) => `- \`${p.path || ".github/okstra.yml"}\`: ${p.message}`).join("\n");
  return `\`.github/okstra.yml\` on the default branch is invalid, so okstra does nothing until it is fixed:\n\n${list}`;
}
