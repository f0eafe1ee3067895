import { escapeHtml } from "./escape.js";
import { code, time } from "./format.js";
import { PAGE_STYLES } from "./page-styles.js";
import { renderPlan } from "./render-plan.js";
import { renderPulls } from "./render-pulls.js";
import { renderRows } from "./render-rows.js";
import { renderThread } from "./render-thread.js";
import type { ViewData } from "./view-data.js";

/**
 * The whole page for `okstra view`: one HTML document with its CSS and SVG
 * inline and no script. The Content-Security-Policy forbids every fetch and
 * every script, so even a bug in the escaping could neither run code nor
 * make the page reach the network.
 */

const CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

export function renderViewPage(data: ViewData): string {
  const { issue, task } = data;
  const title = `#${issue.number} ${issue.title} · okstra`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${PAGE_STYLES}</style>
</head>
<body>
<main>
<header>
<h1>${escapeHtml(issue.title)} <span class="number">#${issue.number}</span></h1>
<p class="meta">${summaryLine(data)}</p>
<p class="meta">Repository ${code(data.repoDir)} · base ${code(task.meta.baseBranch)} · ledger at ${task.ledgerCommit ? code(task.ledgerCommit.slice(0, 12)) : "—"} · page written ${time(data.generatedAt)}</p>
<nav class="toc"><a href="#plan">Plan</a><a href="#stage-prs">Stage PRs</a><a href="#group-prs">Group PRs</a><a href="#ledger">Ledger</a><a href="#thread">Thread</a></nav>
</header>
${renderPlan(data.plan, data.stages, data.pulls)}
${renderPulls(data.repoDir, data.pulls)}
${renderRows(data.rows)}
${renderThread(issue, data.comments)}
</main>
</body>
</html>
`;
}

function summaryLine(data: ViewData): string {
  const { task, stages } = data;
  const approval = task.state.approval;
  const approved =
    approval === null
      ? "not approved"
      : approval.current
        ? `approved by ${escapeHtml(approval.row.actor)}`
        : "changed since it was approved";
  const count = (pred: (s: (typeof stages)[number]) => boolean) => stages.filter(pred).length;
  const done = count((s) => ["done", "verified", "conditional", "blocked"].includes(s.status));
  const verified = count((s) => s.status === "verified" || s.status === "conditional");
  return `Opened by <strong>${escapeHtml(data.issue.author)}</strong> · plan v${task.meta.planVersion}, ${approved} · ${done}/${stages.length} stages done, ${verified} verified · ${data.pulls.length} PR${data.pulls.length === 1 ? "" : "s"}`;
}
