import type { CommandContext } from "../context.js";
import { CommandRefusal } from "../refusal.js";
import { cancelRuns } from "../run/active-runs.js";

/**
 * `/okstra cancel` (SPEC §2): records a `cancelled` row for every run that
 * holds a stage of the task (which ends their claims), and stops the runs
 * this process executes at once — their workers' process groups are killed.
 * Runs elsewhere see the row within seconds. Partial work is kept: a
 * cancelled stage pushes what its executor had committed to its branch.
 */
export async function cancelCommand(context: CommandContext): Promise<void> {
  const { job, services } = context;
  const issue = job.issueNumber;
  const task = await services.ledger.readTask(issue);
  const holders = [...new Set((task?.state.stages ?? []).filter((s) => s.claim).map((s) => s.claim!.run))];
  const local = cancelRuns(job.repo, issue, `cancelled by @${job.comment.author}`);
  const runs = [...new Set([...holders, ...local])].sort();
  if (runs.length === 0)
    throw new CommandRefusal(
      `no okstra run of #${issue} is running, so there is nothing to cancel.`,
      "`/okstra status` shows the task's state.",
    );
  if (holders.length > 0)
    await services.ledger.appendRows(
      issue,
      holders.map((run) => ({ run, status: "cancelled" as const })),
    );

  const now = services.now;
  context.run.body = [
    `Cancelled ${runs.map((r) => `\`${r}\``).join(", ")} at the request of @${job.comment.author}.`,
    "",
    "Stages that were running keep what their executor had committed on their branch; `/okstra retry` continues from there.",
  ].join("\n");
  context.run.outcome = "succeeded";
  context.run.finishedAt = now().toISOString();
  await context.status.finish(context.run);
}
