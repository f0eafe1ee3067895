import { parseArgs } from "node:util";
import { ledgerStatusLinks } from "../engine/commands/status.js";
import { renderLedgerStatus } from "../render/ledger-status.js";
import { CliUsageError, EXIT, type CliIo } from "./io.js";
import { openLocalServices } from "./local-services.js";
import { requireRepository } from "./run-command.js";
import { renderForTerminal } from "./terminal.js";

/**
 * `okstra status --repo DIR --issue N [--markdown]`: the task's ledger as a
 * table, read-only (no comment is posted); plain text unless `--markdown`.
 */
export async function runStatus(args: string[], io: CliIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      options: { repo: { type: "string" }, issue: { type: "string" }, markdown: { type: "boolean" } },
    }));
  } catch (error) {
    throw new CliUsageError((error as Error).message);
  }
  if (!values.repo) throw new CliUsageError("--repo DIR is required");
  const issue = Number(values.issue);
  if (!values.issue || !Number.isInteger(issue) || issue < 1)
    throw new CliUsageError(`--issue needs an issue number, got \`${values.issue ?? ""}\``);
  const repoDir = await requireRepository(values.repo);
  const { ledger } = await openLocalServices(repoDir, undefined);
  const task = await ledger.inspectTask(issue);
  if (!task) {
    io.stdout(
      `okstra has no plan for #${issue} yet. Next: okstra run "/okstra plan" --repo ${values.repo} --issue ${issue}\n`,
    );
    return EXIT.ok;
  }
  const markdown = renderLedgerStatus(task, ledgerStatusLinks(task, ledger.store));
  io.stdout(values.markdown ? `${markdown}\n` : renderForTerminal(markdown));
  return EXIT.ok;
}
