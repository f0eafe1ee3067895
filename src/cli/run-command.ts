import { stat } from "node:fs/promises";
import { userInfo } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { isOkstraCommand } from "../commands/parse.js";
import { executeCommand } from "../engine/execute-command.js";
import { recoverTask } from "../engine/recovery/recover-task.js";
import { leaseMsFromEnvironment } from "../engine/recovery/schedule.js";
import { defaultWorkspaceRoot, sweepOrphanedWorkspaces } from "../workspace/run-directory.js";
import type { CommandJob } from "../queue/types.js";
import type { OkstraMetrics } from "../server/metrics.js";
import type { Logger } from "../util/log.js";
import { CliUsageError, EXIT, type CliIo } from "./io.js";
import { openLocalServices, readIssueFile } from "./local-services.js";
import { renderForTerminal } from "./terminal.js";

/** What `okstra run` may be given instead of its defaults (tests): a logger, a metrics registry. */
export interface RunCommandDeps {
  log?: Logger;
  /** Counts the run and its worker calls; the CLI counts nothing by default. */
  metrics?: OkstraMetrics;
}

/**
 * `okstra run "<comment>" --repo DIR --issue N [--issue-file FILE] [--actor NAME]`:
 * posts the comment on the local platform as the actor and carries it out to
 * completion, with no queue, exactly as the App would.
 */
export async function runCommandLine(args: string[], io: CliIo, deps: RunCommandDeps = {}): Promise<number> {
  const options = parseRunArguments(args);
  const repoDir = await requireRepository(options.repo);
  const { platform, ledger, log, local } = await openLocalServices(repoDir, options.actor, { log: deps.log, task: options.issue });

  if (options.issueFile) {
    const issue = await readIssueFile(options.issueFile);
    await local.createIssue({ number: options.issue, title: issue.title, body: issue.body, author: options.actor });
  } else if (!(await local.issueExists(options.issue))) {
    throw new CliUsageError(`issue #${options.issue} does not exist in ${path.join(repoDir, ".okstra-local")}; pass --issue-file FILE to create it`);
  }

  if (options.actor.endsWith("[bot]")) {
    io.stderr(`okstra: ${options.actor} is a bot; bots never trigger commands, so nothing was done.\n`);
    return EXIT.refused;
  }

  const comment = await local.addComment(options.issue, { author: options.actor, body: options.comment });
  const job: CommandJob = {
    deliveryId: `local-${comment.id}`,
    repo: platform.repo,
    issueNumber: options.issue,
    isPullRequest: false,
    comment: { id: comment.id, body: comment.body, author: options.actor, createdAt: comment.createdAt },
    receivedAt: new Date().toISOString(),
  };
  // Every invocation is a process start: what a dead one left behind is recovered first (SPEC §10) —
  // its run directories on this host, and its expired leases, run and status comment on the ledger.
  const leaseMs = leaseMsFromEnvironment();
  await sweepOrphanedWorkspaces(defaultWorkspaceRoot()).catch((err: unknown) => log.warn({ err }, "could not sweep orphaned run directories"));
  await recoverTask({ platform, ledger, log, leaseMs }, options.issue).catch((err: unknown) => log.warn({ err }, "crash recovery could not run; the command goes on"));
  const outcome = await executeCommand(job, { platform, ledger, log, metrics: deps.metrics, leaseMs });

  for (const reply of await local.commentsAfter(options.issue, comment.id)) io.stdout(options.markdown ? `${reply.body}\n` : renderForTerminal(reply.body));
  if (outcome.result === "carried-out") return EXIT.ok;
  io.stderr(`okstra: ${outcome.result}: ${outcome.reason}\n`);
  return EXIT.refused;
}

interface RunArguments {
  comment: string;
  repo: string;
  issue: number;
  issueFile?: string;
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
      options: { repo: { type: "string" }, issue: { type: "string" }, "issue-file": { type: "string" }, actor: { type: "string" }, markdown: { type: "boolean" } },
    });
  } catch (error) {
    throw new CliUsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new CliUsageError('run takes exactly one comment, quoted: okstra run "/okstra help" --repo DIR --issue N');
  const comment = positionals[0];
  if (!isOkstraCommand(comment)) throw new CliUsageError(`the comment must start with /okstra, got \`${comment.split("\n")[0]}\``);
  if (!values.repo) throw new CliUsageError("--repo DIR is required");
  const issue = Number(values.issue);
  if (!values.issue || !Number.isInteger(issue) || issue < 1) throw new CliUsageError(`--issue needs an issue number, got \`${values.issue ?? ""}\``);
  return { comment, repo: values.repo, issue, issueFile: values["issue-file"], actor: values.actor ?? userInfo().username, markdown: values.markdown ?? false };
}

export async function requireRepository(dir: string): Promise<string> {
  const repoDir = path.resolve(dir);
  const gitDir = await stat(path.join(repoDir, ".git")).catch(() => null);
  if (!gitDir) throw new CliUsageError(`--repo ${dir} is not a git repository (no .git in ${repoDir})`);
  return repoDir;
}

