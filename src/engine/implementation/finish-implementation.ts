import type { RunManifest } from "../../ledger/index.js";
import { BudgetMeter } from "../../workers/budget.js";
import type { CommandContext } from "../context.js";
import { runResultFiles } from "../run/finish-run.js";
import type { RunWorkers } from "../run/invoke-worker.js";
import { startRun } from "../run/start-run.js";
import { renderImplementationReport } from "./implementation-report.js";
import type { PilotDecision } from "./pilot.js";
import type { StageOutcome } from "./stage-outcome.js";

/** How a run ended, for its files and the status comment. */
export interface RunEnd {
  batch: number[];
  outcomes: StageOutcome[];
  workers: RunWorkers;
  pilot: PilotDecision | null;
  status: "succeeded" | "failed" | "refused";
  outcome: string;
}

/** The end of a run that executed its batch: succeeded when no stage failed. */
export function batchEnd(batch: number[], outcomes: StageOutcome[], workers: RunWorkers, pilot: PilotDecision | null) {
  const failed = outcomes.filter((o) => o.status === "failed");
  const status = failed.length === 0 ? ("succeeded" as const) : ("failed" as const);
  const outcome =
    failed.length === 0 ? `${outcomes.length} stage(s) done` : `${failed.length} of ${batch.length} stage(s) failed`;
  return { batch, outcomes, workers, pilot, status, outcome };
}

/** A claim refused for good still leaves a run on the ledger, started and refused, saying why. */
export async function recordRefusedRun(context: CommandContext, batch: number[], reason: string): Promise<void> {
  const manifest = await startRun(context.services.ledger, {
    issue: context.job.issueNumber,
    phase: "implementation",
    job: context.job,
    now: context.services.now(),
    extra: { batch, guidance: context.guidance },
  });
  const workers = { budget: new BudgetMeter(context.config.budgets), records: [] };
  await finishImplementation(context, manifest, {
    batch: [],
    outcomes: [],
    workers,
    pilot: null,
    status: "refused",
    outcome: reason,
  });
}

/** Writes the run's files (manifest, report, workers) in one commit, then the final status comment. */
export async function finishImplementation(context: CommandContext, manifest: RunManifest, end: RunEnd) {
  const { batch, outcomes, workers, status, outcome } = end;
  const now = context.services.now;
  const issue = context.job.issueNumber;
  const report = renderImplementationReport({ manifest, batch, outcomes, workers: workers.records, outcome });
  await context.services.ledger.writeFiles(
    issue,
    runResultFiles({ manifest, status, finishedAt: now(), outcome, report, workers, extra: { batch } }),
    `ledger(#${issue}): ${manifest.id} ${status}`,
  );
  if (status === "refused") return;
  const cancelled =
    outcomes.length > 0 &&
    outcomes.every((o) => o.status === "done" || o.reason === "cancelled") &&
    outcomes.some((o) => o.status === "failed");
  context.run.outcome = status === "succeeded" ? "succeeded" : cancelled ? "cancelled" : "failed";
  context.run.finishedAt = now().toISOString();
  context.run.body = finalBody(end);
  context.run.links = [
    ...context.run.links,
    { label: "report", url: context.services.ledger.fileUrl(issue, `runs/${manifest.id}/report.md`) },
  ];
  await context.status.finish(context.run);
}

function finalBody({ batch, outcomes, pilot, status }: RunEnd): string {
  const done = outcomes.filter((o) => o.status === "done").map((o) => o.stage);
  const failedCount = done.length < batch.length ? `, ${batch.length - done.length} failed` : "";
  const pilotNote = pilot ? [pilotSummary(pilot), ""] : [];
  return [
    `Batch ${batch.join(", ")}: ${done.length} done${failedCount}.`,
    "",
    ...pilotNote,
    ...outcomes.flatMap((o) =>
      o.status === "failed" && o.evidence ? [failureDetails(o.stage, o.reason, o.evidence), ""] : [],
    ),
    status === "succeeded"
      ? "Next: `/okstra implement` for the next ready stages, or `/okstra status`."
      : "Next: `/okstra retry` the failed stages after reading the report, or `/okstra status`.",
  ].join("\n");
}

/** What the pilot decided at the batch boundary, for the status comment. */
export function pilotSummary(decision: PilotDecision): string {
  const lines = [
    `**Pilot** (${decision.source === "pilot" ? "the pilot worker" : "okstra's fallback"}): ${decision.analysis}`,
  ];
  if (decision.rejected) lines.push(`_The pilot's answer was not used: ${decision.rejected}._`);
  if (decision.retry.length) lines.push(`Retrying: ${decision.retry.map((r) => `stage ${r.stage}`).join(", ")}.`);
  if (decision.skip.length)
    lines.push(`Skipped: ${decision.skip.map((s) => `stage ${s.stage} (${s.reason})`).join(", ")}.`);
  if (decision.replan) lines.push("The pilot recommends `/okstra replan`.");
  return lines.join("\n");
}

/** A failed stage's output tails, folded: the comment says why without burying the rest. */
function failureDetails(stage: number, reason: string, evidence: string): string {
  const fence = evidence.includes("```") ? "~~~~" : "```";
  return [
    `<details><summary>Stage ${stage}: ${reason} — output</summary>`,
    "",
    fence,
    evidence,
    fence,
    "",
    "</details>",
  ].join("\n");
}
