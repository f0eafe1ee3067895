import { redactSecrets, stripControl } from "../util/redact.js";
import { CliUsageError, EXIT, type CliIo } from "./io.js";
import { runCommandLine } from "./run-command.js";
import { runStatus } from "./status.js";
import { runValidatePlan } from "./validate-plan.js";
import { runView } from "./view.js";
import { runQueueWorker, WORKER_USAGE } from "./worker.js";

export const CLI_USAGE = `Usage:
  okstra run "<comment>" --repo DIR --issue N [--issue-file FILE] [--actor NAME] [--markdown]
  okstra run "<comment>" --repo DIR --pr N [--path FILE --line L] [--actor NAME] [--markdown]
      Carry out one /okstra command against the local repository DIR (SPEC §11.1),
      written on issue N, or on pull request N (inline at FILE:LINE with --path/--line).
      FILE's first line is the issue title ("# " optional), the rest its body.
  okstra status --repo DIR --issue N [--markdown]
      Print the task's ledger as a table.
  --markdown prints okstra's Markdown as posted, instead of the plain terminal rendering.
  okstra view --repo DIR --issue N [--out FILE]
      Write one self-contained HTML page of the task (thread, stage DAG, PRs, ledger)
      and print its path; default DIR/.okstra-local/view/issue-N.html.
  okstra validate-plan FILE
      Check a plan JSON file against the structural rules S1–S12.
  okstra worker [options]
      Consume jobs from Redis (REDIS_URL), as many processes as you like; see below.
  okstra help
      Show this text.

Exit codes: 0 carried out, 1 refused or failed (the reason on stderr), 2 usage error.
`;

const FULL_USAGE = `${CLI_USAGE}\n${WORKER_USAGE}`;

/** The CLI's dispatcher: one function per subcommand, no logic here. */
export async function runCli(argv: string[], rawIo: CliIo): Promise<number> {
  const io = redactingIo(rawIo);
  const [subcommand, ...rest] = argv;
  try {
    switch (subcommand) {
      case "run":
        return await runCommandLine(rest, io);
      case "status":
        return await runStatus(rest, io);
      case "view":
        return await runView(rest, io);
      case "worker":
        return await runQueueWorker(rest, io);
      case "validate-plan":
        if (rest.length !== 1) throw new CliUsageError("validate-plan takes exactly one FILE");
        return await runValidatePlan(rest[0], io);
      case "help":
      case "--help":
      case "-h":
        io.stdout(FULL_USAGE);
        return EXIT.ok;
      case undefined:
        throw new CliUsageError("no subcommand given");
      default:
        throw new CliUsageError(`unknown subcommand \`${subcommand}\``);
    }
  } catch (error) {
    if (error instanceof CliUsageError) {
      io.stderr(`okstra: ${error.message}\n\n${CLI_USAGE}`);
      return EXIT.usage;
    }
    throw error;
  }
}

/** CLI output passes the one redaction point and carries no terminal escapes (SPEC §14.3). */
function redactingIo(io: CliIo): CliIo {
  return {
    stdout: (text) => io.stdout(stripControl(redactSecrets(text))),
    stderr: (text) => io.stderr(stripControl(redactSecrets(text))),
  };
}
