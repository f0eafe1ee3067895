import type { RunManifest } from "../../ledger/index.js";
import type { WorkerRecord } from "../run/invoke-worker.js";
import type { GateOutcome } from "./plan-gate.js";
import type { Plan } from "../../plan/plan-schema.js";

export interface PlanningReportInput {
  plan: Plan | null;
  manifest: RunManifest;
  gate: GateOutcome | null;
  fixRounds: number;
  warnings: string[];
  workers: WorkerRecord[];
  outcome: string;
}

/** `runs/<id>/report.md` of a planning run: what happened, who said what, what it cost. */
export function renderPlanningReport(input: PlanningReportInput): string {
  const { manifest, plan, gate } = input;
  const lines = [
    `# Planning run ${manifest.id}`,
    "",
    `- Trigger: \`${manifest.trigger.command}\` by @${manifest.trigger.actor} (comment ${manifest.trigger.commentId}, delivery ${manifest.trigger.deliveryId})`,
    `- Started: ${manifest.startedAt}`,
    `- Outcome: ${input.outcome}`,
  ];
  if (plan) {
    lines.push(`- Plan: v${plan.version}, ${plan.stages.length} stages, recommended option ${plan.recommendedOption}`);
    lines.push(`- Fix rounds: ${input.fixRounds}`);
  }
  lines.push(
    "",
    "## Workers",
    "",
    "| worker | provider / model | status | attempts | tokens in / out | cost |",
    "|---|---|---|---|---|---|",
  );
  for (const w of input.workers) {
    lines.push(
      `| ${w.label} | ${w.provider} / ${w.model} | ${w.status}${w.reason ? ` — ${oneLine(w.reason)}` : ""} | ${w.attempts} | ${w.usage.inputTokens} / ${w.usage.outputTokens} | $${w.usage.costUsd.toFixed(4)} |`,
    );
  }
  if (gate) {
    lines.push(
      "",
      "## Plan-body verification",
      "",
      `Gate: **${gate.result}** (${gate.answered} reviewers answered, ${gate.required} needed).`,
    );
    if (gate.blockedItems.length > 0) lines.push("", `Blocked items: ${gate.blockedItems.join(", ")}.`);
    if (gate.dissent.length > 0) {
      lines.push(
        "",
        "Dissent:",
        ...gate.dissent.map((d) => `- ${d.item} — ${d.worker} (${d.stance}): ${oneLine(d.evidence)}`),
      );
    }
    if (gate.supplements.length > 0) {
      lines.push(
        "",
        "Supplements:",
        ...gate.supplements.map((d) => `- ${d.item} — ${d.worker}: ${oneLine(d.evidence)}`),
      );
    }
  }
  if (input.warnings.length > 0) lines.push("", "## Validator warnings", "", ...input.warnings.map((w) => `- ${w}`));
  return `${lines.join("\n")}\n`;
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}
