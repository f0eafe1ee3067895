import type { Verdict } from "../ledger/rows.js";
import type { Finding } from "../workers/results.js";
import { firstLine } from "../util/text.js";

/**
 * `runs/<id>/report.md` of a verification run (SPEC §8 "Reports", §9.5): the
 * verdict per stage and why, okstra's own checks, every finding with its
 * class and each reviewer's answer, the workers skipped as
 * verification-error, and what the run cost.
 */

export interface ReportAnswer {
  reviewer: string;
  round: number;
  verdict: string;
  evidence: string;
  note?: string;
}

export interface ReportFinding extends Finding {
  author: string;
  classification: string;
  classifiedInRound: number;
  answers: readonly ReportAnswer[];
}

export interface ReportStage {
  stage: number;
  title: string;
  headCommit: string;
  verdict: Verdict | null;
  reasons: readonly string[];
  checks: { failed: readonly string[]; waived: readonly string[]; passed: readonly string[] };
  checkRun?: { id?: number; url?: string; error?: string };
}

export interface VerificationReportInput {
  run: string;
  trigger: string;
  outcome: string;
  adversarial: boolean;
  maxRounds: number;
  roundsRun: number;
  stages: readonly ReportStage[];
  findings: readonly ReportFinding[];
  ignored: ReadonlyArray<{ verifier: string; finding: Pick<Finding, "id" | "stage" | "claim">; reason: string }>;
  skippedWorkers: ReadonlyArray<{ worker: string; role: string; round: number; status: string; reason?: string }>;
  workers: ReadonlyArray<{
    label: string;
    provider: string;
    model: string;
    status: string;
    usage: { inputTokens: number; outputTokens: number; costUsd: number };
  }>;
}

const VERDICT_ICON: Record<Verdict, string> = { accepted: "✅", "conditional-accept": "⚠️", blocked: "⛔" };

export function renderVerificationReport(input: VerificationReportInput): string {
  const lines = [
    `# Verification run \`${input.run}\``,
    "",
    `Trigger: ${input.trigger}. Outcome: ${input.outcome}.`,
    `Mode: ${input.adversarial ? "adversarial (reviewers try to refute; the burden of proof is on the claim)" : "balanced"}; convergence rounds: ${input.roundsRun} of at most ${input.maxRounds}.`,
    "",
    "## Verdicts",
    "",
    "| stage | head | verdict | check run |",
    "|---|---|---|---|",
    ...input.stages.map(
      (s) =>
        `| ${s.stage} · ${cell(s.title)} | \`${s.headCommit.slice(0, 12)}\` | ${s.verdict ? `${VERDICT_ICON[s.verdict]} ${s.verdict}` : "— no verdict"} | ${checkRunCell(s.checkRun)} |`,
    ),
  ];
  for (const stage of input.stages) {
    lines.push("", `### Stage ${stage.stage} · ${stage.title}`, "");
    if (stage.reasons.length) lines.push(...stage.reasons.map((r) => `- ${r}`), "");
    lines.push(
      "okstra's own checks:",
      ...bullets("failed", stage.checks.failed),
      ...bullets("waived", stage.checks.waived),
      ...bullets("passed", stage.checks.passed),
    );
  }

  lines.push("", "## Findings", "");
  if (input.findings.length === 0) lines.push("No verifier reported a finding.");
  for (const f of input.findings) {
    lines.push(
      `### ${f.id} · stage ${f.stage} · ${f.severity} · ${f.classification}`,
      "",
      `${f.claim}`,
      "",
      `Reported by ${f.author} (${f.category})${f.classifiedInRound ? `; classified after round ${f.classifiedInRound}` : "; no other reviewer could be asked"}.`,
      ...f.evidence.map((e) => `- \`${e.path}${e.line ? `:${e.line}` : ""}\` — \`${e.quote}\``),
      "",
    );
    if (f.answers.length === 0) lines.push("_No reviewer answered._", "");
    else {
      lines.push("| reviewer | round | verdict | evidence | note |", "|---|---|---|---|---|");
      for (const a of f.answers)
        lines.push(
          `| ${a.reviewer} | ${a.round} | ${a.verdict}${a.verdict === "DISAGREE" && !a.evidence.trim() ? " (no evidence: does not contest)" : ""} | ${cell(a.evidence) || "—"} | ${cell(a.note ?? "") || "—"} |`,
        );
      lines.push("");
    }
  }
  if (input.ignored.length > 0) {
    lines.push(
      "## Set aside",
      "",
      ...input.ignored.map((i) => `- ${i.verifier} ${i.finding.id} (stage ${i.finding.stage}): ${i.reason}`),
      "",
    );
  }

  lines.push("## Workers", "");
  if (input.skippedWorkers.length > 0) {
    lines.push(
      "Skipped as `verification-error` (never counted as a DISAGREE):",
      ...input.skippedWorkers.map(
        (s) =>
          `- ${s.worker} as ${s.role}${s.round ? ` in round ${s.round}` : ""}: ${s.status}${s.reason ? ` — ${firstLine(s.reason)}` : ""}`,
      ),
      "",
    );
  }
  lines.push("| worker | provider / model | status | tokens in / out | cost |", "|---|---|---|---|---|");
  for (const w of input.workers) {
    lines.push(
      `| ${w.label} | ${w.provider} / ${w.model} | ${w.status} | ${w.usage.inputTokens} / ${w.usage.outputTokens} | $${w.usage.costUsd.toFixed(4)} |`,
    );
  }
  return `${lines.join("\n")}\n`;
}

function bullets(label: string, items: readonly string[]): string[] {
  return items.length === 0 ? [] : items.map((item) => `- ${label}: ${item}`);
}

function checkRunCell(checkRun: ReportStage["checkRun"]): string {
  if (!checkRun) return "—";
  if (checkRun.error) return cell(checkRun.error);
  return checkRun.url ? `[#${checkRun.id}](${checkRun.url})` : `#${checkRun.id}`;
}

function cell(text: string): string {
  return text.replace(/\s*\r?\n\s*/g, " ").replaceAll("|", "\\|");
}
