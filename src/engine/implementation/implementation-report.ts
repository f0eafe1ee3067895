import type { RunManifest } from "../../ledger/index.js";
import type { WorkerRecord } from "../run/invoke-worker.js";
import type { StageOutcome } from "./execute-stage.js";

/** `runs/<id>/report.md` of an implementation run: each stage's outcome, its validation evidence, the workers. */
export function renderImplementationReport(input: {
  manifest: RunManifest;
  batch: number[];
  outcomes: StageOutcome[];
  workers: WorkerRecord[];
  outcome: string;
}): string {
  const { manifest } = input;
  const lines = [
    `# Implementation run ${manifest.id}`,
    "",
    `- Trigger: \`${manifest.trigger.command}\` by @${manifest.trigger.actor}`,
    `- Batch: ${input.batch.join(", ") || "(none)"}`,
    `- Outcome: ${input.outcome}`,
    "",
    "## Stages",
  ];
  for (const outcome of input.outcomes) {
    lines.push("", `### Stage ${outcome.stage}: ${outcome.status}`);
    if (outcome.status === "done") {
      lines.push(
        `- branch \`${outcome.branch}\`, \`${outcome.baseCommit.slice(0, 12)}..${outcome.headCommit.slice(0, 12)}\``,
      );
      lines.push(`- commits: ${outcome.carry.commits.map((c) => `\`${c.sha.slice(0, 12)}\` ${c.subject}`).join("; ")}`);
      if (outcome.carry.outOfPlanEdits.length > 0)
        lines.push(`- out-of-plan edits: ${outcome.carry.outOfPlanEdits.map((e) => `\`${e.path}\``).join(", ")}`);
    } else {
      lines.push(`- reason: ${outcome.reason}`, "", "```", outcome.detail.slice(0, 4_000), "```");
    }
    if (outcome.validation.length > 0) {
      lines.push("", "| phase | command | exit | duration |", "|---|---|---|---|");
      for (const v of outcome.validation)
        lines.push(`| ${v.phase} | \`${v.command}\` | ${v.exitCode} | ${(v.durationMs / 1000).toFixed(1)} s |`);
    }
  }
  lines.push("", "## Workers", "", "| worker | provider / model | status | attempts | cost |", "|---|---|---|---|---|");
  for (const w of input.workers)
    lines.push(
      `| ${w.label} | ${w.provider} / ${w.model} | ${w.status} | ${w.attempts} | $${w.usage.costUsd.toFixed(4)} |`,
    );
  return `${lines.join("\n")}\n`;
}
