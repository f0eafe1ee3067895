import { renderLedgerStatus } from "../../render/ledger-status.js";
import type { CommandContext } from "../context.js";

/** `/okstra status`: the task's ledger as a table, or what to do first when okstra has not worked on the issue. */
export async function statusCommand(context: CommandContext): Promise<void> {
  const { job, run, status, services } = context;
  // Status shows okstra's own state and lists, with their commits, whatever it did not write (SPEC §14.5).
  const task = await services.ledger.inspectTask(job.issueNumber);
  run.body = task
    ? renderLedgerStatus(task, { fileUrl: (path) => services.ledger.store.fileUrl(path) })
    : `okstra has no plan for #${job.issueNumber} yet: its ledger has no task for this issue.\n\nNext: comment \`/okstra plan\` to plan it.`;
  run.outcome = "succeeded";
  run.finishedAt = (services.now ?? (() => new Date()))().toISOString();
  await status.finish(run);
}
