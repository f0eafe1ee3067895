import type { RunManifest } from "../../ledger/index.js";
import type { CheckRunFinding } from "../../render/check-run.js";
import type { VerificationReportInput } from "../../render/verification-report.js";
import type { VerificationContext } from "./verification-context.js";
import type { WorkerRecord } from "../run/invoke-worker.js";
import { weighAnswer } from "./classify.js";
import type { ClassifiedFinding } from "./converge.js";
import type { VerificationFindings, VerificationRequest } from "./verification-run.js";
import type { StageCheckRun } from "./stage-check-runs.js";
import { firstLine } from "../../util/text.js";

/**
 * A verification run's results in the shapes its outputs need: the check
 * run table, `convergence.json`, the report and the status comment's body.
 */

/** `AGREE 1 · DISAGREE 1 (no evidence)`: each reviewer's standing answer, tallied. */
export function answerTally(finding: Pick<ClassifiedFinding, "answers">): string {
  const latest = new Map(finding.answers.map((a) => [a.reviewer, a]));
  const counts = new Map<string, number>();
  for (const answer of latest.values()) {
    const label = weighAnswer(answer) === "unbacked" ? "DISAGREE (no evidence)" : answer.verdict;
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  return [...counts].map(([label, n]) => `${label} ${n}`).join(" · ");
}

export function checkRunFindings(findings: readonly ClassifiedFinding[], stage: number): CheckRunFinding[] {
  return findings.filter((f) => f.stage === stage).map((f) => ({ ...f, answers: answerTally(f) }));
}

export function convergenceRecord(
  context: VerificationContext,
  manifest: RunManifest,
  request: VerificationRequest,
  found: VerificationFindings,
): Record<string, unknown> {
  const { verification, workers } = context.config;
  return {
    run: manifest.id,
    stages: request.subjects.map((s) => ({
      stage: s.stage.number,
      headCommit: s.done.headCommit,
      baseCommit: s.carry.stageCommitRange.base,
    })),
    adversarial: verification.adversarial,
    maxRounds: verification.maxRounds,
    verifiers: workers.verifiers.map((spec, index) => ({ index, provider: spec.provider, model: spec.model ?? null })),
    rounds: found.convergence.rounds,
    skippedWorkers: found.convergence.skippedWorkers,
    findings: found.convergence.findings,
    ignored: found.ignored,
    ownChecks: request.subjects.map((s) => s.checks),
    verdicts: found.verdicts,
    ...(found.noVerdict ? { noVerdict: found.noVerdict } : {}),
    notes: found.notes,
  };
}

export function reportInput(
  context: VerificationContext,
  request: VerificationRequest,
  manifest: RunManifest,
  found: VerificationFindings,
  checkRuns: readonly StageCheckRun[],
  workers: readonly WorkerRecord[],
  outcome: string,
): VerificationReportInput {
  const trigger = request.trigger;
  return {
    run: manifest.id,
    trigger: describeTrigger(trigger),
    outcome: [outcome, ...found.notes].join("; "),
    adversarial: context.config.verification.adversarial,
    maxRounds: context.config.verification.maxRounds,
    roundsRun: found.convergence.rounds.length,
    stages: request.subjects.map((s) => {
      const verdict = found.verdicts.find((v) => v.stage === s.stage.number);
      const checkRun = checkRuns.find((c) => c.stage === s.stage.number);
      return {
        stage: s.stage.number,
        title: s.stage.title,
        headCommit: s.done.headCommit,
        verdict: verdict?.verdict ?? null,
        reasons: verdict?.reasons ?? [],
        checks: s.checks,
        checkRun,
      };
    }),
    findings: found.convergence.findings,
    ignored: found.ignored,
    skippedWorkers: found.convergence.skippedWorkers,
    workers,
  };
}

function describeTrigger(trigger: VerificationRequest["trigger"]): string {
  if (trigger.kind === "check-run") return `check run ${trigger.checkRunId} (${trigger.action}) by @${trigger.actor}`;
  if (trigger.kind === "branch-moved") return `new commits on \`${trigger.branch}\` pushed by @${trigger.actor}`;
  return `\`${trigger.command}\` by @${trigger.actor}${trigger.kind === "after-implementation" ? ` (autoVerify after ${trigger.implementationRun})` : ""}`;
}

const ICON = { accepted: "✅", "conditional-accept": "⚠️", blocked: "⛔" } as const;

export function statusBody(found: VerificationFindings, checkRuns: readonly StageCheckRun[]): string {
  const lines: string[] = [];
  if (found.noVerdict) lines.push(`No verdict: ${found.noVerdict}.`);
  for (const v of found.verdicts)
    lines.push(`- Stage ${v.stage}: ${ICON[v.verdict]} **${v.verdict}** — ${firstLine(v.reasons[0] ?? "")}`);
  const findings = found.convergence.findings;
  if (findings.length > 0)
    lines.push(
      "",
      `${findings.length} finding${findings.length === 1 ? "" : "s"}: ${tally(findings.map((f) => f.classification))}.`,
    );
  const skipped = found.convergence.skippedWorkers;
  if (skipped.length > 0)
    lines.push("", `Skipped as verification-error: ${skipped.map((s) => `${s.worker} (${s.status})`).join(", ")}.`);
  const problems = [...found.notes, ...checkRuns.flatMap((c) => (c.error ? [`stage ${c.stage}: ${c.error}`] : []))];
  if (problems.length > 0) lines.push("", ...problems.map((p) => `_Note: ${p}_`));
  const blocked = found.verdicts.filter((v) => v.verdict === "blocked").map((v) => v.stage);
  lines.push(
    "",
    found.noVerdict
      ? "Next: `/okstra verify` to try again once the verifiers can run."
      : blocked.length > 0
        ? `Next: push a fix to the blocked stage branch${blocked.length === 1 ? "" : "es"}, then \`/okstra verify --stage ${blocked[0]}\`.`
        : "Next: review the stage PRs, or `/okstra implement` for the next ready stages.",
  );
  return lines.join("\n");
}

function tally(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts].map(([value, n]) => `${n} ${value}`).join(", ");
}
