import { openRestackConflict, runFile, taskDir, type LedgerStore, type TaskLedger } from "../../ledger/index.js";
import { type LedgerStatusOptions, renderLedgerStatus } from "../../render/ledger-status.js";
import type { CommandContext } from "../context.js";

/** `/okstra status`: the task's ledger as a table, or what to do first when okstra has not worked on the issue. */
export async function statusCommand(context: CommandContext): Promise<void> {
  const { job, run, status, services } = context;
  // Status shows okstra's own state and lists, with their commits, whatever it did not write (SPEC §14.5).
  const task = await services.ledger.inspectTask(job.issueNumber);
  run.body = task
    ? renderLedgerStatus(task, ledgerStatusLinks(task, services.ledger.store))
    : `okstra has no plan for #${job.issueNumber} yet: its ledger has no task for this issue.\n\nNext: comment \`/okstra plan\` to plan it.`;
  run.outcome = "succeeded";
  run.finishedAt = services.now().toISOString();
  await status.finish(run);
}

/** The links and restack flags of the status table, looked up here so that render only formats (`okstra status` too). */
export function ledgerStatusLinks(task: TaskLedger, store: Pick<LedgerStore, "fileUrl">): LedgerStatusOptions {
  const inTask = (path: string) => (path.startsWith("tasks/") ? path : `${taskDir(task.issue)}/${path}`);
  return {
    taskFileUrl: (path) => store.fileUrl(inTask(path)),
    runReportUrl: (run) => store.fileUrl(inTask(runFile(run, "report.md"))),
    openRestackConflict: (stage) => openRestackConflict(task.rows, stage),
  };
}
