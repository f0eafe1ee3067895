import { storePath } from "../platform/local/index.js";
import { escapeHtml } from "./escape.js";
import { badge, code, section, shortSha, table } from "./format.js";
import { renderMarkdown } from "./markdown.js";
import type { ViewCheck, ViewPull } from "./view-data.js";
import { pathToFileURL } from "node:url";

/**
 * okstra's pull requests for the issue: the stage PRs (SPEC §7.1) and the
 * group PRs `/okstra ship` opens (§7.2), each with head → base, draft or
 * merged state and the conclusion of every check run on its head commit.
 * The bodies (navigation block, validation) fold out below the table.
 */

export function renderPulls(repoDir: string, pulls: readonly ViewPull[]): string {
  const stagePulls = pulls.filter((p) => p.kind === "stage");
  const groupPulls = pulls.filter((p) => p.kind === "group");
  const stageContent =
    stagePulls.length === 0
      ? `<p class="muted">No stage PR yet: <code>/okstra implement</code> opens one per done stage.</p>`
      : pullTable(repoDir, stagePulls);
  const groupContent =
    groupPulls.length === 0
      ? `<p class="muted">No group PR yet: <code>/okstra ship</code> opens one for verified stages.</p>`
      : pullTable(repoDir, groupPulls);
  return [
    section("stage-prs", `Stage pull requests (${stagePulls.length})`, stageContent),
    section("group-prs", `Group pull requests (${groupPulls.length})`, groupContent),
  ].join("\n");
}

function pullTable(repoDir: string, pulls: readonly ViewPull[]): string {
  const rows = pulls.map((pull) => [
    `<a class="pr-number" href="${escapeHtml(pathToFileURL(storePath(repoDir, "pulls", `${pull.number}.json`)).href)}">#${pull.number}</a>`,
    escapeHtml(pull.stages.join(", ")),
    escapeHtml(pull.title),
    `${code(pull.head)} → ${code(pull.base)}${pull.headSha ? ` ${shortSha(pull.headSha)}` : ` ${badge("branch gone", "muted")}`}`,
    pullState(pull),
    checks(pull.checks),
  ]);
  const bodies = pulls.map(
    (pull) =>
      `<details class="pr-body"><summary>#${pull.number} · ${escapeHtml(pull.title)}</summary><div class="md">${renderMarkdown(pull.body)}</div></details>`,
  );
  return `${table(["PR", "stages", "title", "head → base", "state", "check runs"], rows, "pulls")}\n${bodies.join("\n")}`;
}

function pullState(pull: ViewPull): string {
  if (pull.merged) return badge("merged", "merged");
  if (pull.state === "closed") return badge("closed", "closed");
  return pull.draft ? badge("draft", "draft") : badge("open", "open");
}

/** GitHub's words: a completed run shows its conclusion, any other its status. */
function checks(list: readonly ViewCheck[]): string {
  if (list.length === 0) return `<span class="muted">none</span>`;
  return list
    .map((check) => {
      const outcome = check.status === "completed" ? (check.conclusion ?? "completed") : check.status.replace("_", " ");
      const title = check.title ? ` title="${escapeHtml(check.title)}"` : "";
      return `<div class="check"${title}>${escapeHtml(check.name)}: ${badge(outcome, `check-${outcome.replace(/\s+/g, "-")}`)}</div>`;
    })
    .join("");
}
