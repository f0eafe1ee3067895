import { parseArgs } from "node:util";
import { ViewUnavailableError, writeViewPage } from "../view/write-view.js";
import { CliUsageError, EXIT, type CliIo } from "./io.js";
import { openLocalServices } from "./local-services.js";
import { requireRepository } from "./run-command.js";

/**
 * `okstra view --repo DIR --issue N [--out FILE]`: writes one self-contained
 * HTML page of the task (thread, stage DAG, PRs, ledger rows) and prints its
 * path. Read-only towards the ledger; a missing issue or task is a usage error.
 */
export async function runView(args: string[], io: CliIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      options: { repo: { type: "string" }, issue: { type: "string" }, out: { type: "string" } },
    }));
  } catch (error) {
    throw new CliUsageError((error as Error).message);
  }
  if (!values.repo) throw new CliUsageError("--repo DIR is required");
  const issue = Number(values.issue);
  if (!values.issue || !Number.isInteger(issue) || issue < 1)
    throw new CliUsageError(`--issue needs an issue number, got \`${values.issue ?? ""}\``);
  if (values.out === "") throw new CliUsageError("--out needs a FILE");
  const repoDir = await requireRepository(values.repo);
  const { ledger } = await openLocalServices(repoDir, undefined);
  try {
    const file = await writeViewPage({ repoDir, issue, ledger, out: values.out });
    io.stdout(`${file}\n`);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof ViewUnavailableError) throw new CliUsageError(error.message);
    throw error;
  }
}
