import { escapeHtml } from "./escape.js";

/** Small HTML pieces the page's sections share. Arguments are raw text; every one is escaped here. */

/** An ISO time as UTC to the second, machine-readable in `datetime`. */
export function time(iso: string): string {
  const date = new Date(iso);
  const shown = Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 19).replace("T", " ")} UTC`;
  return `<time datetime="${escapeHtml(iso)}">${escapeHtml(shown)}</time>`;
}

export function badge(text: string, kind: string): string {
  return `<span class="badge badge-${escapeHtml(kind)}">${escapeHtml(text)}</span>`;
}

export function code(text: string): string {
  return `<code>${escapeHtml(text)}</code>`;
}

export function shortSha(sha: string): string {
  return `<code title="${escapeHtml(sha)}">${escapeHtml(sha.slice(0, 7))}</code>`;
}

export function table(headers: string[], rows: string[][], className = ""): string {
  const head = `<tr>${headers.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr>`;
  const body = rows.map((cells) => `<tr>${cells.map((c) => `<td>${c}</td>`).join("")}</tr>`).join("\n");
  return `<div class="table"><table${className ? ` class="${escapeHtml(className)}"` : ""}><thead>${head}</thead><tbody>\n${body}\n</tbody></table></div>`;
}

export function section(id: string, heading: string, content: string): string {
  return `<section id="${escapeHtml(id)}">\n<h2>${escapeHtml(heading)}</h2>\n${content}\n</section>`;
}
