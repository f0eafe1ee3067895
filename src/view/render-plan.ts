import { renderDagSvg } from "./dag-svg.js";
import { escapeHtml } from "./escape.js";
import { badge, section, table } from "./format.js";
import { renderMarkdown } from "./markdown.js";
import { STAGE_STATUS_LABEL, type StageStatus } from "./stage-status.js";
import type { ViewPlan, ViewPull, ViewStage } from "./view-data.js";

/** The plan: its summary, the stage DAG with a colour legend, and the same stages as a table for reading and for screen readers. */

export function renderPlan(plan: ViewPlan | null, stages: readonly ViewStage[], pulls: readonly ViewPull[]): string {
  if (plan === null) return section("plan", "Plan", `<p class="muted">No plan yet.</p>`);
  const used = new Set(stages.map((s) => s.status));
  const legend = (Object.keys(STAGE_STATUS_LABEL) as StageStatus[])
    .filter((status) => used.has(status) || ["not-started", "done", "verified", "failed"].includes(status))
    .map(
      (status) =>
        `<span class="legend-item"><span class="swatch status-${status}"></span>${escapeHtml(STAGE_STATUS_LABEL[status])}</span>`,
    )
    .join("");
  const content = [
    `<p><strong>${escapeHtml(plan.title)}</strong> · plan v${plan.version} · ${stages.length} stage${stages.length === 1 ? "" : "s"}</p>`,
    plan.summary ? `<div class="md summary">${renderMarkdown(plan.summary)}</div>` : "",
    `<div class="dag-wrap">${renderDagSvg(stages)}</div>`,
    `<p class="legend">${legend}</p>`,
    stageTable(stages, pulls),
  ];
  return section("plan", "Plan and stage DAG", content.filter(Boolean).join("\n"));
}

function stageTable(stages: readonly ViewStage[], pulls: readonly ViewPull[]): string {
  const rows = stages.map((stage) => {
    const prs = pulls
      .filter((p) => p.stages.includes(stage.number))
      .map((p) => `#${p.number}${p.kind === "group" ? " (group)" : ""}`);
    return [
      String(stage.number),
      escapeHtml(stage.title),
      String(stage.steps),
      escapeHtml(stage.dependsOn.length > 0 ? stage.dependsOn.join(", ") : "—"),
      `${badge(STAGE_STATUS_LABEL[stage.status], `status-${stage.status}`)}${stage.note ? ` <span class="note">${escapeHtml(stage.note)}</span>` : ""}`,
      escapeHtml(prs.join(", ") || "—"),
    ];
  });
  return table(["stage", "title", "steps", "depends on", "state", "PRs"], rows, "stages");
}
