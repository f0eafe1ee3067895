import { renderNoVerdictOutput, renderVerdictOutput, VERDICT_CONCLUSION } from "../../render/check-run.js";
import { latestShipPreflight, renderPreflightCheckRun } from "../../render/ship-preflight.js";
import { renderVerificationReport } from "../../render/verification-report.js";
import { redactSecrets } from "../../util/redact.js";
import { runResultFiles } from "../run/finish-run.js";
import { persistVerification } from "./persist-verification.js";
import { publishPreflightComments } from "./preflight-comments.js";
import { publishStagePrs } from "./publish-stage-prs.js";
import { checkRunFindings, convergenceRecord, reportInput, statusBody } from "./verification-record.js";
import type { VerificationFindings, VerificationRun } from "./verification-run.js";

/**
 * Steps 7–9 of a verification run, the ledger first — it is the truth the
 * check runs and stage PRs then show:
 * 7. one commit: `verified` rows, convergence.json, report.md and the run's files;
 * 8. complete the check runs; mark accepted stage PRs ready; refresh the stack blocks;
 *    state the ship preflight's conflicts (or clear them) on the stage PRs;
 * 9. the final status.
 */
export async function finishVerification(run: VerificationRun, found: VerificationFindings): Promise<void> {
  const { context, request, manifest, workers, checkRuns, display } = run;
  const { ledger } = context.services;
  const now = context.services.now;
  const status = found.noVerdict ? "failed" : "succeeded";
  const outcome = found.noVerdict
    ? `no verdict: ${found.noVerdict}`
    : found.verdicts.map((v) => `stage ${v.stage} ${v.verdict}`).join(", ");
  const reportUrl = ledger.fileUrl(context.issue, `runs/${manifest.id}/report.md`);
  const headOf = new Map(request.subjects.map((s) => [s.stage.number, s.done.headCommit]));

  const report = renderVerificationReport(
    reportInput(context, request, manifest, found, checkRuns.all, workers.records, outcome),
  );
  await persistVerification(ledger, {
    issue: context.issue,
    run: manifest.id,
    verdicts: found.verdicts.map((v) => ({ ...v, headCommit: headOf.get(v.stage)! })),
    shipPreflight: found.preflight,
    runFiles: runResultFiles({
      manifest,
      status,
      finishedAt: now(),
      outcome,
      report,
      workers,
      extra: { checkRuns: checkRuns.all, verdicts: found.verdicts.map(({ stage, verdict }) => ({ stage, verdict })) },
    }),
    convergence: convergenceRecord(context, manifest, request, found),
    now: now(),
  });

  await completeCheckRuns(run, found, reportUrl);
  const task = (await ledger.readTask(context.issue)) ?? request.task;
  await publishStagePrs({
    context,
    task,
    plan: request.plan,
    verifying: new Set(),
    verdicts: found.verdicts,
    notes: found.notes,
  });
  if (found.preflight) {
    const previous = latestShipPreflight(request.task.rows);
    await publishPreflightComments({
      context,
      task,
      run: manifest.id,
      preflight: found.preflight,
      previous,
      notes: found.notes,
    });
  }

  for (const { stage } of request.subjects) {
    const verdict = found.verdicts.find((v) => v.stage === stage.number);
    display.step(
      `Stage ${stage.number} · ${stage.title}`,
      !verdict ? "skipped" : verdict.verdict === "blocked" ? "failed" : "done",
      verdict?.verdict ?? "no verdict",
    );
  }
  const links = [
    { label: `verification report (${manifest.id})`, url: reportUrl },
    ...checkRuns.all.flatMap((c) => (c.url ? [{ label: `check run · stage ${c.stage}`, url: c.url }] : [])),
  ];
  await display.finish(status, redactSecrets(statusBody(found, checkRuns.all)), links);
}

/** Each stage's check run: the verdict's conclusion with the findings, or `cancelled` when no verdict was given. */
export async function completeCheckRuns(
  run: VerificationRun,
  found: VerificationFindings,
  reportUrl: string,
): Promise<void> {
  const { request, manifest, checkRuns } = run;
  const skipped = found.convergence.skippedWorkers.map((s) => s.worker);
  for (const { stage } of request.subjects) {
    const verdict = found.verdicts.find((v) => v.stage === stage.number);
    const output = verdict
      ? renderVerdictOutput({
          stage: stage.number,
          run: manifest.id,
          verdict: verdict.verdict,
          reasons: verdict.reasons,
          findings: checkRunFindings(found.convergence.findings, stage.number),
          skippedWorkers: skipped,
          reportUrl,
        })
      : renderNoVerdictOutput({ stage: stage.number, run: manifest.id, reason: found.noVerdict ?? "no verdict" });
    const preflight = renderPreflightCheckRun(found.preflight ?? null, stage.number);
    if (preflight) output.summary = `${preflight}\n\n${output.summary}`;
    await checkRuns.complete(stage.number, verdict ? VERDICT_CONCLUSION[verdict.verdict] : "cancelled", output);
  }
}
