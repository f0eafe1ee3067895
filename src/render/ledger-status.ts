import { codeSpan } from "./model-text.js";
import type { StageState } from "../ledger/derive.js";
import type { NeedsRestackRow } from "../ledger/rows.js";
import type { TaskLedger } from "../ledger/task-ledger.js";
import { latestShipPreflight, renderPreflightStatus } from "./ship-preflight.js";
import { renderUntrustedSection } from "./untrusted-ledger.js";

/**
 * `/okstra status` (SPEC §2): the task's ledger as a table, one row per stage
 * with started / done / verified / PR, and the plan's version and approval.
 * Every run id links to that run's report on the ledger branch. The caller
 * handles "no task yet".
 */

/** What the table links to and flags, looked up by the caller: render names ledger types, never calls ledger code. */
export interface LedgerStatusOptions {
  /** Where a person can open a file of the task, by its path in the task's folder or from the branch root (`tasks/…`). */
  taskFileUrl(path: string): string;
  /** Where a person can open a run's report. */
  runReportUrl(run: string): string;
  /** The stage's restack conflict still open, if any (SPEC §15.3). */
  openRestackConflict(stage: number): NeedsRestackRow | null;
}

const VERDICT_ICON = { accepted: "✅", "conditional-accept": "⚠️", blocked: "⛔" } as const;

/** Table cells are one line and must not open a new column. */
function cell(text: string): string {
  return text.replace(/\r?\n/g, " ").replace(/\|/g, "\\|");
}

function link(label: string, url: string): string {
  return `[${label.replace(/[[\]]/g, "\\$&")}](${url.replace(/[()\s]/g, encodeURIComponent)})`;
}

function shortSha(sha: string): string {
  return `\`${sha.slice(0, 7)}\``;
}

function stageTitle(task: TaskLedger, stage: number): string | null {
  const stages = (task.plan as { stages?: Array<{ number?: unknown; title?: unknown }> } | null)?.stages;
  const title = Array.isArray(stages) ? stages.find((s) => s.number === stage)?.title : undefined;
  return typeof title === "string" && title.trim() !== "" ? title : null;
}

function startedCell(_task: TaskLedger, s: StageState, runLink: (run: string) => string): string {
  if (!s.lastStarted) return "—";
  const by = runLink(s.lastStarted.run);
  if (s.claim) return `${by} ⏳ until ${s.claim.leaseUntil}`;
  if (s.open) return `${by} lease expired ${s.open.leaseUntil}`;
  const end = s.lastEnd;
  if (!end || end.status === "done") return by;
  const why = "reason" in end ? `: ${end.reason}` : "";
  return `${by} ${end.status === "failed" ? "❌ failed" : end.status}${why}`;
}

function doneCell(s: StageState, runLink: (run: string) => string, options: LedgerStatusOptions): string {
  if (!s.done) return "—";
  const via = s.done.source ? ` (${s.done.source})` : "";
  const conflict = options.openRestackConflict(s.stage);
  const restack = conflict
    ? ` ⚠️ needs restack: merging stage ${conflict.dependency} conflicts in ${conflict.paths.map(codeSpan).join(", ")}`
    : "";
  return `${shortSha(s.done.headCommit)} ${runLink(s.done.run)}${via}${restack}`;
}

function verifiedCell(s: StageState, options: LedgerStatusOptions): string {
  if (!s.verdict) return "—";
  const verdict = link(
    `${VERDICT_ICON[s.verdict.verdict]} ${s.verdict.verdict}`,
    options.taskFileUrl(s.verdict.reportPath),
  );
  return s.verdictCurrent ? verdict : `${verdict} (stale: given at ${shortSha(s.verdict.headCommit)})`;
}

function prCell(s: StageState): string {
  if (s.prs.length === 0) return "—";
  // The last row per PR number is its current description.
  const latest = new Map(s.prs.map((pr) => [pr.number, pr]));
  return [...latest.values()]
    .map((pr) => `${link(`#${pr.number}`, pr.url)}${pr.kind === "group" ? " (group)" : ""}`)
    .join(", ");
}

function planLine(task: TaskLedger): string {
  const version = `Plan v${task.meta.planVersion}`;
  if (task.plan === null) return `${version}: no plan yet.`;
  const approval = task.state.approval;
  if (!approval) return `${version}: not approved.`;
  const by = `@${approval.row.actor} (${approval.row.at})`;
  if (approval.current) return `${version}: approved by ${by}, digest \`${approval.row.planDigest.slice(0, 12)}\`.`;
  return `${version}: **changed since it was approved** by ${by}; approve again. Approved digest \`${approval.row.planDigest.slice(0, 12)}\`, current \`${(task.state.planDigest ?? "").slice(0, 12)}\`.`;
}

/**
 * One next step, the same the failed run's comment gives: a stage whose last
 * attempt failed is retried (`/okstra retry` continues from its pushed
 * commits), not implemented afresh.
 */
function nextStep(task: TaskLedger): string {
  const failed = task.state.stages.filter((s) => task.state.ready.includes(s.stage) && s.lastEnd?.status === "failed");
  const fresh = task.state.ready.filter((stage) => !failed.some((s) => s.stage === stage));
  if (failed.length > 0) {
    const which = failed
      .map((s) => `stage ${s.stage} failed${s.lastEnd && "reason" in s.lastEnd ? ` (${s.lastEnd.reason})` : ""}`)
      .join(", ");
    return `Next: \`/okstra retry\` — ${which}; read its run report first.${fresh.length > 0 ? ` Also ready: stage ${fresh.join(", ")}.` : ""}`;
  }
  return task.state.ready.length > 0
    ? `Ready to implement: stage ${task.state.ready.join(", ")}.`
    : "No stage is ready to implement.";
}

export function renderLedgerStatus(task: TaskLedger, options: LedgerStatusOptions): string {
  const runLink = (run: string) => link(run, options.runReportUrl(run));
  const lines = [`**okstra ledger for #${task.issue}** — ${cell(task.meta.title)}`, "", planLine(task), ""];
  if (task.state.stages.length === 0) {
    lines.push("No stages yet.");
  } else {
    lines.push("| stage | started | done | verified | PR |", "|---|---|---|---|---|");
    for (const s of task.state.stages) {
      const title = stageTitle(task, s.stage);
      const name = title ? `${s.stage} · ${title}` : String(s.stage);
      const cells = [
        name,
        startedCell(task, s, runLink),
        doneCell(s, runLink, options),
        verifiedCell(s, options),
        prCell(s),
      ];
      lines.push(`| ${cells.map(cell).join(" | ")} |`);
    }
  }
  const preflight = renderPreflightStatus(latestShipPreflight(task.rows));
  if (preflight) lines.push("", preflight);
  if (task.planStages) lines.push("", nextStep(task));
  if (task.untrusted.length > 0) lines.push("", renderUntrustedSection(task.issue, task.untrusted, task.unsigned));
  return `${lines.join("\n")}\n`;
}
