import { stat } from "node:fs/promises";
import path from "node:path";
import { userInfo } from "node:os";
import { parseArgs } from "node:util";
import { isOkstraCommand } from "../commands/parse.js";
import { executeCommand } from "../engine/execute-command.js";
import { recoverTask } from "../engine/recovery/recover-task.js";
import { leaseMsFromEnvironment } from "../config/settings.js";
import { defaultWorkspaceRoot, sweepOrphanedWorkspaces } from "../workspace/run-directory.js";
import type { CommandJob } from "../queue/types.js";
import type { OkstraMetrics } from "../server/metrics.js";
import type { Logger } from "../util/log.js";
import { CliUsageError, EXIT, type CliIo } from "./io.js";
import { openLocalServices } from "./local-services.js";
import { postCommand, type CommentPlace } from "./post-command.js";
import { renderForTerminal } from "./terminal.js";

/** What `okstra run` may be given instead of its defaults (tests): a logger, a metrics registry. */
export interface RunCommandDeps {
  log?: Logger;
  /** Counts the run and its worker calls; the CLI counts nothing by default. */
  metrics?: OkstraMetrics;
}

/**
 * `okstra run "<comment>" --repo DIR (--issue N [--issue-file FILE] | --pr N [--path F --line L]) [--actor NAME]`:
 * posts the comment on the local platform as the actor (on an issue, a pull
 * request's conversation, or inline on its diff) and carries it out to
 * completion, with no queue, exactly as the App would.
 */
export async function runCommandLine(args: string[], io: CliIo, deps: RunCommandDeps = {}): Promise<number> {
  const options = parseRunArguments(args);
  const repoDir = await requireRepository(options.repo);
  const taskHint = options.place.kind === "issue" ? options.place.issue : undefined;
  const { platform, ledger, log } = await openLocalServices(repoDir, options.actor, { log: deps.log, task: taskHint });

  if (options.actor.endsWith("[bot]")) {
    io.stderr(`okstra: ${options.actor} is a bot; bots never trigger commands, so nothing was done.\n`);
    return EXIT.refused;
  }

  const posted = await postCommand(repoDir, options.place, options.actor, options.comment);
  const job: CommandJob = {
    ...posted.job,
    deliveryId: `local-${posted.job.reviewComment ? "review-" : ""}${posted.job.comment.id}`,
    repo: platform.repo,
    receivedAt: new Date().toISOString(),
  };
  // Every invocation is a process start: what a dead one left behind is recovered first (SPEC §10) —
  // its run directories on this host, and its expired leases, run and status comment on the ledger.
  const leaseMs = leaseMsFromEnvironment();
  await sweepOrphanedWorkspaces(defaultWorkspaceRoot()).catch((err: unknown) =>
    log.warn({ err }, "could not sweep orphaned run directories"),
  );
  if (taskHint !== undefined)
    await recoverTask({ platform, ledger, log, leaseMs }, taskHint).catch((err: unknown) =>
      log.warn({ err }, "crash recovery could not run; the command goes on"),
    );
  const outcome = await executeCommand(job, { platform, ledger, log, metrics: deps.metrics, leaseMs });

  for (const reply of await posted.replies())
    io.stdout(options.markdown ? `${reply.body}\n` : renderForTerminal(reply.body));
  if (outcome.result === "carried-out") return EXIT.ok;
  io.stderr(`okstra: ${outcome.result}: ${outcome.reason}\n`);
  return EXIT.refused;
}

interface RunArguments {
  comment: string;
  repo: string;
  place: CommentPlace;
  actor: string;
  /** Print okstra's replies as the Markdown posted, not the terminal rendering. */
  markdown: boolean;
}

function parseRunArguments(args: string[]): RunArguments {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        repo: { type: "string" },
        issue: { type: "string" },
        pr: { type: "string" },
        path: { type: "string" },
        line: { type: "string" },
        "issue-file": { type: "string" },
        actor: { type: "string" },
        markdown: { type: "boolean" },
      },
    });
  } catch (error) {
    throw new CliUsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1)
    throw new CliUsageError('run takes exactly one comment, quoted: okstra run "/okstra help" --repo DIR --issue N');
  const comment = positionals[0];
  if (!isOkstraCommand(comment))
    throw new CliUsageError(`the comment must start with /okstra, got \`${comment.split("\n")[0]}\``);
  if (!values.repo) throw new CliUsageError("--repo DIR is required");
  return {
    comment,
    repo: values.repo,
    place: commentPlace(values),
    actor: values.actor ?? userInfo().username,
    markdown: values.markdown ?? false,
  };
}

/** `--issue N [--issue-file F]`, or `--pr N [--path F --line L]`: exactly one place. */
function commentPlace(values: {
  issue?: string;
  pr?: string;
  path?: string;
  line?: string;
  "issue-file"?: string;
}): CommentPlace {
  if ((values.issue === undefined) === (values.pr === undefined))
    throw new CliUsageError("give exactly one of --issue N (an issue comment) or --pr N (a pull-request comment)");
  if (values.issue !== undefined) {
    if (values.path !== undefined || values.line !== undefined)
      throw new CliUsageError(
        "--path and --line go with --pr N: an inline review comment is written on a pull request",
      );
    return {
      kind: "issue",
      issue: positiveNumber("--issue", "an issue number", values.issue),
      issueFile: values["issue-file"],
    };
  }
  if (values["issue-file"] !== undefined)
    throw new CliUsageError("--issue-file creates an issue; it does not go with --pr");
  const pull = positiveNumber("--pr", "a pull request number", values.pr!);
  if (values.path === undefined && values.line === undefined) return { kind: "pull", pull };
  if (values.path === undefined || values.line === undefined)
    throw new CliUsageError("an inline review comment needs both --path FILE and --line L");
  return { kind: "review", pull, path: values.path, line: positiveNumber("--line", "a line number", values.line) };
}

function positiveNumber(option: string, what: string, value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new CliUsageError(`${option} needs ${what}, got \`${value}\``);
  return number;
}

export async function requireRepository(dir: string): Promise<string> {
  const repoDir = path.resolve(dir);
  const gitDir = await stat(path.join(repoDir, ".git")).catch(() => null);
  if (!gitDir) throw new CliUsageError(`--repo ${dir} is not a git repository (no .git in ${repoDir})`);
  return repoDir;
}
