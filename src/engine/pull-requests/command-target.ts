import type { Command } from "../../commands/types.js";
import type { Ledger } from "../../ledger/index.js";
import type { Platform } from "../../platform/types.js";
import type { CommandJob } from "../../jobs/types.js";
import { parseOkstraBranch } from "./branch-names.js";

/**
 * Which task a command acts on (SPEC §2, §15.1). On an issue: that issue. On a
 * pull request: the task of okstra's stage or group PR it is, when the head is
 * `okstra/<N>/s<S>` or `okstra/<N>/group-…` *and* task N's ledger records the
 * PR as okstra's (a head name alone can be chosen by anyone). Any other PR is
 * foreign, and the command is refused with what to do instead.
 */
export type CommandTarget =
  | { kind: "task"; task: number; pull?: { number: number; stage?: number } }
  | { kind: "foreign-pull"; problem: string; instead: string };

export async function resolveCommandTarget(
  job: CommandJob,
  ports: { platform: Platform; ledger: Ledger },
): Promise<CommandTarget> {
  if (!job.isPullRequest) return { kind: "task", task: job.issueNumber };
  const pull = await ports.platform.getPullRequest(job.issueNumber);
  const branch = parseOkstraBranch(pull.head);
  const refused = (why: string): CommandTarget => ({
    kind: "foreign-pull",
    problem: `#${pull.number} is not a pull request okstra opened (${why}), so there is no okstra task to act on here.`,
    instead:
      "Comment `/okstra plan` on the issue this change is for; okstra opens its own stage PRs, and commands on those act on their task.",
  });
  if (branch === null) return refused(`its head \`${pull.head}\` is not an okstra stage or group branch`);
  const task = await ports.ledger.readTask(branch.task);
  const recorded =
    task?.rows.some((row) => row.status === "pr" && row.number === pull.number && row.branch === pull.head) ?? false;
  if (!recorded) return refused(`the ledger of #${branch.task} does not record it`);
  return {
    kind: "task",
    task: branch.task,
    pull: { number: pull.number, ...(branch.kind === "stage" ? { stage: branch.stage } : {}) },
  };
}

/** The verbs that name one stage; on a stage PR they default to that PR's stage (SPEC §2). */
export function withDefaultStage(command: Command, stage: number | undefined): Command {
  if (stage === undefined) return command;
  switch (command.verb) {
    case "verify":
    case "retry":
    case "revise":
    case "restack":
      return command.stage === undefined ? { ...command, stage } : command;
    default:
      return command;
  }
}
