import type { Verdict } from "../ledger/rows.js";
import type { CheckAnnotation, CheckConclusion, CheckRunAction, CheckRunOutput } from "../platform/types.js";
import type { Finding } from "../workers/results.js";
import { neutraliseModelText } from "./model-text.js";

/**
 * The output of a stage check run `okstra / stage S` (SPEC §8): what it says
 * while the verifiers work, and the verdict with a findings table and one
 * annotation per finding at its first cited `path:line`. The platform adapter
 * keeps GitHub's limits (≤ 50 annotations per request, ≤ 65,535 characters);
 * the table is capped here too so a long one ends with a pointer to the report
 * rather than mid-row.
 */

export interface CheckRunFinding
  extends Pick<Finding, "id" | "stage" | "claim" | "evidence" | "severity" | "category"> {
  classification: string;
  /** `AGREE 2 · DISAGREE 1` style tally of the reviewers' answers. */
  answers: string;
}

export const REVERIFY_ACTION: CheckRunAction = {
  label: "Re-verify",
  description: "Verify this stage again",
  identifier: "reverify",
};

export const VERDICT_CONCLUSION: Record<Verdict, CheckConclusion> = {
  accepted: "success",
  "conditional-accept": "neutral",
  blocked: "failure",
};

export const VERDICT_TITLE: Record<Verdict, string> = {
  accepted: "✅ Accepted",
  "conditional-accept": "⚠️ Conditionally accepted",
  blocked: "⛔ Blocked",
};

const LEVEL: Record<Finding["severity"], CheckAnnotation["annotation_level"]> = {
  blocker: "failure",
  major: "failure",
  minor: "warning",
  nit: "notice",
};

const TABLE_ROWS = 200;

export function renderVerifyingOutput(input: { stage: number; run: string; verifiers: number }): CheckRunOutput {
  return {
    title: `Verifying stage ${input.stage}`,
    summary: `okstra's ${input.verifiers} verifier${input.verifiers === 1 ? " is" : "s are"} reviewing stage ${input.stage} (run \`${input.run}\`), then trying to refute each other's findings.`,
  };
}

export function renderVerdictOutput(input: {
  stage: number;
  run: string;
  verdict: Verdict;
  reasons: readonly string[];
  findings: readonly CheckRunFinding[];
  skippedWorkers: readonly string[];
  reportUrl: string;
}): CheckRunOutput {
  const { findings } = input;
  const lines = [
    `**${VERDICT_TITLE[input.verdict]}** — run \`${input.run}\`.`,
    "",
    ...input.reasons.map((r) => `- ${oneLine(r)}`),
    "",
  ];
  if (findings.length === 0) lines.push("No findings.");
  else {
    lines.push("| severity | finding | class | answers | where |", "|---|---|---|---|---|");
    for (const f of findings.slice(0, TABLE_ROWS)) {
      const where = f.evidence[0]
        ? `\`${f.evidence[0].path}${f.evidence[0].line ? `:${f.evidence[0].line}` : ""}\``
        : "—";
      lines.push(
        `| ${f.severity} | **${f.id}** ${escapeCell(f.claim)} | ${f.classification} | ${f.answers || "—"} | ${where} |`,
      );
    }
    if (findings.length > TABLE_ROWS)
      lines.push("", `… and ${findings.length - TABLE_ROWS} more findings in the report.`);
  }
  if (input.skippedWorkers.length > 0)
    lines.push("", `Skipped (verification-error): ${input.skippedWorkers.join(", ")}.`);
  lines.push("", `[Full report](${input.reportUrl})`);
  return {
    title: `${VERDICT_TITLE[input.verdict]} · ${findings.length} finding${findings.length === 1 ? "" : "s"}`,
    summary: lines.join("\n"),
    annotations: findings.flatMap((f) => (f.evidence[0] ? [annotation(f)] : [])),
  };
}

/** When no verdict could be given (no verifier answered, or the run stopped). */
export function renderNoVerdictOutput(input: { stage: number; run: string; reason: string }): CheckRunOutput {
  return {
    title: "Not verified",
    summary: `okstra could not verify stage ${input.stage} in run \`${input.run}\`: ${oneLine(input.reason)}\n\nNo verdict was recorded. Use **Re-verify** or comment \`/okstra verify --stage ${input.stage}\` to try again.`,
  };
}

function annotation(finding: CheckRunFinding): CheckAnnotation {
  const where = finding.evidence[0]!;
  const quote = where.quote.trim() ? `\n\n> ${where.quote.trim()}` : "";
  return {
    path: where.path,
    // A file-level finding (no line) is annotated on the file's first line: GitHub requires one.
    start_line: where.line ?? 1,
    end_line: where.line ?? 1,
    annotation_level: LEVEL[finding.severity],
    title: `${finding.id} · ${finding.severity} · ${finding.classification}`,
    message: `${finding.claim}${quote}\n\n${finding.category} · reviewers: ${finding.answers || "none"}`,
  };
}

function oneLine(text: string): string {
  return text.replace(/\s*\r?\n\s*/g, " ");
}

function escapeCell(text: string): string {
  return neutraliseModelText(oneLine(text)).replaceAll("|", "\\|");
}
