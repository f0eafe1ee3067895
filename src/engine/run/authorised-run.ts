import { authoriseAndLoadConfig, type ConfigProblem } from "../../config/load.js";
import type { OkstraConfig } from "../../config/schema.js";
import { LedgerCorruptError, LedgerUntrustedError } from "../../ledger/index.js";
import { renderUntrustedRefusal } from "../../render/untrusted-ledger.js";
import type { Logger } from "../../util/log.js";
import { redactSecrets } from "../../util/redact.js";
import { firstLine } from "../../util/text.js";
import type { EngineServices } from "../context.js";
import { CommandRefusal } from "../refusal.js";
import { PlanNotApprovedError } from "../approved-task.js";
import type { RunState } from "./run-state.js";
import type { StatusComment } from "./status-comment.js";

export type CommandOutcome =
  | { result: "carried-out"; commentId: number | null }
  | { result: "refused"; reason: string }
  | { result: "failed"; reason: string };

/** Who asked, and where a refusal is answered: a comment's thread, or the task's issue for a check run. */
export interface RunRequest {
  /** Whose permission is checked live: the commenter, or whoever re-ran the check. */
  actor: string;
  /** The issue or pull request the request was made on. */
  issue: number;
  /** How a denial names what was asked, e.g. "okstra commands need". */
  needs: string;
  /** What a denied actor can do instead. */
  askInstead: string;
  /** How to ask again once the configuration is fixed, e.g. "comment the command again". */
  again: string;
  log: Logger;
  postRefusal(problem: string, instead?: string): Promise<void>;
  /** Called once the actor is authorised, before anything else is said (👀 on a comment). */
  acknowledge?(): Promise<void>;
}

/** A run `begin` started: the status comment it keeps and the work. */
export interface StartedRun {
  log: Logger;
  status: StatusComment;
  run: RunState;
  execute(): Promise<void>;
}

/** Refuses, logged on the given logger (a started run's, so the line names the run). */
export type Refuse = (problem: string, instead?: string, log?: Logger) => Promise<CommandOutcome>;

/**
 * The one pipeline every request that acts on a repository goes through — a comment, a re-run check, a
 * command on a pull request:
 * 1. authorise the actor live (`write` before the configuration is even read, so a stranger cannot make
 *    okstra parse it), then hold them to the configuration's `minimumPermission`;
 * 2. acknowledge;
 * 3. refuse an invalid configuration, every problem by key path;
 * 4. `begin` the run (it may still refuse), execute it;
 * 5. finish: a refusal, an untrusted or corrupt ledger become answers; any other error fails the run on
 *    its status comment, the reason redacted.
 */
export async function authorisedRun(
  services: EngineServices,
  request: RunRequest,
  begin: (config: OkstraConfig, refuse: Refuse) => Promise<StartedRun | CommandOutcome>,
): Promise<CommandOutcome> {
  const refuse: Refuse = async (problem, instead, log = request.log) => {
    await request.postRefusal(problem, instead);
    log.info({ problem }, "request refused");
    return { result: "refused", reason: problem };
  };

  const access = await authoriseAndLoadConfig(services.platform, request.actor, {
    commandWorkers: services.commandWorkers,
  });
  if (!access.authorised) {
    const { permission, required } = access;
    return refuse(
      `@${request.actor} has \`${permission}\` permission on this repository; ${request.needs} \`${required}\` or higher.`,
      request.askInstead,
    );
  }
  await request.acknowledge?.();
  if (!access.config.ok) {
    return refuse(
      renderConfigProblems(access.config.problems),
      `Fix \`.github/okstra.yml\` on the default branch, then ${request.again}.`,
    );
  }

  const started = await begin(access.config.config, refuse);
  if ("result" in started) return started;
  try {
    await started.execute();
  } catch (error) {
    return finishOnError(services, request, started, error, refuse);
  }
  const { run } = started;
  // A run that failed has said why on its status comment; the caller (CLI exit code, metrics) needs to know too.
  if (run.outcome === "failed" || run.outcome === "cancelled") {
    return {
      result: "failed",
      reason: firstLine(run.body ?? `the run ${run.outcome === "cancelled" ? "was cancelled" : "failed"}`),
    };
  }
  return { result: "carried-out", commentId: started.status.id };
}

async function finishOnError(
  services: EngineServices,
  request: RunRequest,
  started: StartedRun,
  error: unknown,
  refuse: Refuse,
): Promise<CommandOutcome> {
  const { log, run, status } = started;
  if (error instanceof CommandRefusal || error instanceof PlanNotApprovedError)
    return refuse(error.problem, error.instead, log);
  if (error instanceof LedgerUntrustedError) {
    // Located only now: the commit that introduced the state is part of the answer.
    const located = await services.ledger.locate(error);
    const { problem, instead } = renderUntrustedRefusal(
      located.issue ?? request.issue,
      located.entries,
      located.unsigned,
    );
    return refuse(problem, instead, log);
  }
  if (error instanceof LedgerCorruptError) {
    return refuse(
      `the ledger of this task cannot be read: ${error.message}. okstra writes nothing over it.`,
      `Repair or revert that file on the \`okstra/ledger\` branch, then ${request.again}.`,
      log,
    );
  }
  log.error({ err: error }, "run failed");
  // The reason is shown on the issue: never let a credential from an error message through.
  const reason = redactSecrets(error instanceof Error ? error.message : String(error));
  Object.assign(run, {
    outcome: "failed",
    body: `okstra hit an error and stopped: ${reason}`,
    finishedAt: services.now().toISOString(),
  });
  await status.finish(run).catch((err: unknown) => log.error({ err }, "could not write the final status"));
  return { result: "failed", reason };
}

export function renderConfigProblems(problems: ConfigProblem[]): string {
  const list = problems.map((p) => `- \`${p.path || ".github/okstra.yml"}\`: ${p.message}`).join("\n");
  return `\`.github/okstra.yml\` on the default branch is invalid, so okstra does nothing until it is fixed:\n\n${list}`;
}
