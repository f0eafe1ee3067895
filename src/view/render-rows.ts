import type { LedgerRow } from "../ledger/rows.js";
import { escapeHtml, safeHref } from "./escape.js";
import { badge, section, shortSha, table, time } from "./format.js";

/** `ledger.jsonl` as stored (SPEC §4.1), one table row per line, the row's own fields in the last column. */

const COMMON = new Set(["at", "run", "status", "stage", "stages", "source"]);

export function renderRows(rows: readonly LedgerRow[]): string {
  const body = rows.map((row, k) => [
    String(k + 1),
    time(row.at),
    `<code>${escapeHtml(row.run)}</code>`,
    `${badge(row.status, `row-${row.status}`)}${row.source ? ` ${badge(row.source, "muted")}` : ""}`,
    escapeHtml(
      row.status === "pr" ? row.stages.join(", ") : "stage" in row && row.stage !== undefined ? String(row.stage) : "—",
    ),
    details(row),
  ]);
  const content =
    rows.length === 0
      ? `<p class="muted">No rows yet.</p>`
      : table(["#", "at", "run", "status", "stage", "details"], body, "rows");
  return section("ledger", `Ledger rows (${rows.length})`, content);
}

function details(row: LedgerRow): string {
  const fields = Object.entries(row).filter(([key]) => !COMMON.has(key));
  return fields
    .map(
      ([key, value]) =>
        `<span class="field"><span class="key">${escapeHtml(key)}</span> ${fieldValue(key, value)}</span>`,
    )
    .join(" ");
}

function fieldValue(key: string, value: unknown): string {
  if (typeof value === "string" && /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(value)) return shortSha(value);
  if (typeof value === "string" && key === "url") {
    const href = safeHref(value);
    return href ? `<a href="${escapeHtml(href)}">${escapeHtml(value)}</a>` : escapeHtml(value);
  }
  if (typeof value === "string" && /^\d{4}-\d\d-\d\dT/.test(value)) return time(value);
  return escapeHtml(typeof value === "string" ? value : JSON.stringify(value));
}
