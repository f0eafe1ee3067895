import type { RunManifest } from "../../ledger/index.js";
import type { CommandContext } from "../context.js";
import type { StageOutcome } from "../implementation/execute-stage.js";
import { renderImplementationReport } from "../implementation/implementation-report.js";
import { runResultFiles } from "../run/finish-run.js";
import type { RunWorkers } from "../run/invoke-worker.js";
import type { Revision } from "./revise-command.js";

/** Writes the revise run's files to the ledger and its final status (the body was set by the steps). */
export async function finishRevisionRun(
  context: CommandContext,
  manifest: RunManifest,
  revision: Revision,
  outcome: StageOutcome,
  workers: RunWorkers,
): Promise<void> {
  const { services, job } = context;
  const now = services.now();
  const status = outcome.status === "done" ? "succeeded" : "failed";
  const summary =
    outcome.status === "done"
      ? `stage ${outcome.stage} revised`
      : `stage ${outcome.stage} not revised: ${outcome.reason}`;
  const feedback = `Review feedback: ${revision.feedback.threads.length} thread(s), ${revision.feedback.changeRequests.length} change request(s)${revision.pull !== null ? ` on #${revision.pull}` : ""}.`;
  const report = `${renderImplementationReport({ manifest, batch: [outcome.stage], outcomes: [outcome], workers: workers.records, outcome: summary })}\n\n${feedback}\n`;
  await services.ledger.writeFiles(
    job.issueNumber,
    runResultFiles({
      manifest,
      status,
      finishedAt: now,
      outcome: summary,
      report,
      workers,
      extra: { batch: [outcome.stage], revise: true },
    }),
    `ledger(#${job.issueNumber}): ${manifest.id} ${status}`,
  );
  context.run.outcome = status;
  context.run.finishedAt = now.toISOString();
  context.run.links = [
    ...context.run.links,
    { label: "report", url: services.ledger.fileUrl(job.issueNumber, `runs/${manifest.id}/report.md`) },
  ];
  await context.status.finish(context.run);
}
