import { LedgerInputError } from "../../ledger/index.js";
import { permissionAtLeast } from "../../platform/types.js";
import { renderUntrustedList } from "../../render/untrusted-ledger.js";
import type { CommandContext } from "../context.js";
import { CommandRefusal } from "../refusal.js";

/**
 * `/okstra adopt` (SPEC §14.5): the explicit step by which a repository admin
 * makes ledger state okstra did not sign its own — typically a ledger written
 * before okstra signed its state. Two steps, so that only what was shown is
 * signed:
 *   1. `/okstra adopt` lists every unsigned row and file and the ledger commit it is at;
 *   2. `/okstra adopt --at <that commit>` signs the task exactly as it stood there
 *      (refused if the ledger moved since).
 */
export async function adoptCommand(context: CommandContext): Promise<void> {
  const { job, services, command } = context;
  if (command.verb !== "adopt") throw new Error("adoptCommand handles /okstra adopt only");
  const issue = job.issueNumber;
  const permission = await services.platform.getPermission(job.comment.author);
  if (!permissionAtLeast(permission, "admin")) {
    throw new CommandRefusal(
      `@${job.comment.author} has \`${permission}\` permission; adopting ledger state okstra did not write needs \`admin\`.`,
      "Ask a repository admin to review `/okstra status` and comment `/okstra adopt`.",
    );
  }
  const task = await services.ledger.inspectTask(issue);
  if (!task)
    throw new CommandRefusal(
      `#${issue} has no task on the ledger, so there is nothing to adopt.`,
      "Comment `/okstra plan` to plan it.",
    );
  if (task.untrusted.length === 0)
    throw new CommandRefusal(
      `every row and file of #${issue} on the ledger is already okstra's own; there is nothing to adopt.`,
      "`/okstra status` shows the task.",
    );
  const at = task.ledgerCommit!;
  context.run.body =
    command.at === undefined
      ? showing(issue, at, task.untrusted, task.unsigned)
      : await adopting(context, issue, command.at, at);
  context.run.outcome = "succeeded";
  context.run.finishedAt = services.now().toISOString();
  await context.status.finish(context.run);
}

function showing(
  issue: number,
  at: string,
  entries: Parameters<typeof renderUntrustedList>[0],
  unsigned: boolean,
): string {
  return [
    unsigned
      ? `The ledger of #${issue} was written before okstra signed its state. At ledger commit \`${at}\` it holds, unsigned:`
      : `**Warning:** the ledger of #${issue} holds state okstra did not write — someone pushed it to \`okstra/ledger\`. At ledger commit \`${at}\`:`,
    "",
    renderUntrustedList(entries),
    "",
    "`/okstra status` shows what okstra counts now. If this is what you expect, sign it as it stands (an admin):",
    "",
    `    /okstra adopt --at ${at}`,
    "",
    unsigned ? "" : "If it is not, revert the commits named above on `okstra/ledger` instead.",
  ]
    .join("\n")
    .trimEnd();
}

async function adopting(context: CommandContext, issue: number, at: string, current: string): Promise<string> {
  const again = "Comment `/okstra adopt` again to see what the ledger holds now.";
  if (at !== current)
    throw new CommandRefusal(
      `the ledger of #${issue} is at \`${current}\`, not \`${at}\`: it moved since that state was shown, so okstra signs nothing.`,
      again,
    );
  let outcome;
  try {
    outcome = await context.services.ledger.adoptTask(issue, at);
  } catch (error) {
    if (error instanceof LedgerInputError) throw new CommandRefusal(`${error.message}.`, again);
    throw error;
  }
  return `@${context.job.comment.author} adopted the ledger of #${issue} as it stood at \`${at}\`: okstra signed every row and file of the task${outcome.commit ? ` (ledger commit \`${outcome.commit}\`)` : ""} and acts on it from now on.`;
}
