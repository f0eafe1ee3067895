import { escapeHtml } from "./escape.js";
import { renderInline, type DetailsDepth } from "./markdown-inline.js";

/**
 * The markdown subset okstra's comments and PR bodies are written in
 * (headings, lists, GFM tables, fences, quotes, `<details>`), rendered to
 * HTML that is safe by construction: every element is one this file or
 * markdown-inline.ts writes, never one copied from the input. HTML comments
 * (okstra's markers) are dropped, as GitHub hides them.
 */

const MAX_QUOTE_DEPTH = 8;

export function renderMarkdown(source: string): string {
  const text = source.replace(/\r\n?/g, "\n").replace(/<!--[\s\S]*?-->/g, "");
  return renderBlocks(text.split("\n"), 0);
}

function renderBlocks(lines: string[], depth: number): string {
  const details: DetailsDepth = { open: 0 };
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const block = nextBlock(lines, i, details, depth);
    if (block.html) out.push(block.html);
    i = block.next;
  }
  // `<details>` left open would swallow the rest of the page.
  if (details.open > 0) out.push("</details>".repeat(details.open));
  return out.join("\n");
}

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)[^`]*$/;
const HEADING = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const RULE = /^ {0,3}([-*_])(?:\s*\1){2,}\s*$/;
const LIST_ITEM = /^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$/;
const QUOTE = /^ {0,3}>\s?(.*)$/;
const TABLE_SEPARATOR = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;
/** A line that is only block-level HTML okstra writes: rendered without a paragraph around it. */
const HTML_LINE = /^\s*<\/?(details|summary)\s*>/i;

interface Block {
  html: string;
  next: number;
}

function nextBlock(lines: string[], i: number, details: DetailsDepth, depth: number): Block {
  const line = lines[i];
  if (line.trim() === "") return { html: "", next: i + 1 };
  const fence = FENCE.exec(line);
  if (fence) return codeBlock(lines, i, fence[1], fence[2]);
  const heading = HEADING.exec(line);
  if (heading)
    return { html: `<h${heading[1].length}>${renderInline(heading[2], details)}</h${heading[1].length}>`, next: i + 1 };
  if (RULE.test(line)) return { html: "<hr>", next: i + 1 };
  if (line.includes("|") && i + 1 < lines.length && TABLE_SEPARATOR.test(lines[i + 1]) && lines[i + 1].includes("-"))
    return table(lines, i, details);
  if (QUOTE.test(line) && depth < MAX_QUOTE_DEPTH) return quote(lines, i, depth);
  if (LIST_ITEM.test(line) && !RULE.test(line)) return list(lines, i, details);
  if (HTML_LINE.test(line)) return { html: renderInline(line.trim(), details), next: i + 1 };
  return paragraph(lines, i, details);
}

function startsBlock(line: string): boolean {
  return (
    line.trim() === "" ||
    FENCE.test(line) ||
    HEADING.test(line) ||
    RULE.test(line) ||
    QUOTE.test(line) ||
    LIST_ITEM.test(line) ||
    HTML_LINE.test(line)
  );
}

function codeBlock(lines: string[], start: number, marker: string, lang: string): Block {
  const body: string[] = [];
  let i = start + 1;
  const closing = new RegExp(`^ {0,3}${marker[0] === "`" ? "`" : "~"}{${marker.length},}\\s*$`);
  while (i < lines.length && !closing.test(lines[i])) body.push(lines[i++]);
  const label = lang ? ` data-lang="${escapeHtml(lang)}"` : "";
  return { html: `<pre${label}><code>${escapeHtml(body.join("\n"))}</code></pre>`, next: i + 1 };
}

function paragraph(lines: string[], start: number, details: DetailsDepth): Block {
  const body = [lines[start]];
  let i = start + 1;
  while (
    i < lines.length &&
    !startsBlock(lines[i]) &&
    !(lines[i].includes("|") && TABLE_SEPARATOR.test(lines[i + 1] ?? ""))
  )
    body.push(lines[i++]);
  // Comments on GitHub keep their line breaks.
  return { html: `<p>${body.map((l) => renderInline(l.trim(), details)).join("<br>\n")}</p>`, next: i };
}

function quote(lines: string[], start: number, depth: number): Block {
  const body: string[] = [];
  let i = start;
  for (let m = QUOTE.exec(lines[i] ?? ""); i < lines.length && m; m = QUOTE.exec(lines[++i] ?? "")) body.push(m[1]);
  return { html: `<blockquote>${renderBlocks(body, depth + 1)}</blockquote>`, next: i };
}

/** A GFM table; `\|` is a literal bar inside a cell (even inside a code span). */
function table(lines: string[], start: number, details: DetailsDepth): Block {
  const cells = (row: string) =>
    row
      .trim()
      .replace(/^\|/, "")
      .replace(/(?<!\\)\|$/, "")
      .split(/(?<!\\)\|/)
      .map((cell) => cell.trim().replace(/\\\|/g, "|"));
  const align = cells(lines[start + 1]).map((c) =>
    c.startsWith(":") && c.endsWith(":") ? "center" : c.endsWith(":") ? "right" : "",
  );
  const header = cells(lines[start]);
  const row = (values: string[], tag: "th" | "td") =>
    `<tr>${header.map((_, k) => `<${tag}${align[k] ? ` class="align-${align[k]}"` : ""}>${renderInline(values[k] ?? "", details)}</${tag}>`).join("")}</tr>`;
  const body: string[] = [];
  let i = start + 2;
  while (i < lines.length && lines[i].trim() !== "" && lines[i].includes("|")) body.push(row(cells(lines[i++]), "td"));
  return {
    html: `<div class="table"><table><thead>${row(header, "th")}</thead><tbody>${body.join("")}</tbody></table></div>`,
    next: i,
  };
}

/** Lists nest by indentation, as far as the author indented them; `[ ]`/`[x]` become check marks. */
function list(lines: string[], start: number, details: DetailsDepth): Block {
  const out: string[] = [];
  const open: Array<{ indent: number; tag: "ul" | "ol" }> = [];
  let i = start;
  for (let m = LIST_ITEM.exec(lines[i]); m && i < lines.length; m = LIST_ITEM.exec(lines[++i] ?? "")) {
    const indent = m[1].replace(/\t/g, "    ").length;
    const tag = /^\d/.test(m[2]) ? "ol" : "ul";
    while (open.length > 0 && indent < open.at(-1)!.indent) out.push(`</li></${open.pop()!.tag}>`);
    const top = open.at(-1);
    if (!top || indent > top.indent) {
      out.push(`<${tag}>`);
      open.push({ indent, tag });
    } else {
      out.push("</li>");
    }
    const item = m[3].replace(/^\[( |x|X)\]\s+/, (_, mark: string) => (mark === " " ? "☐ " : "☑ "));
    out.push(`<li>${renderInline(item, details)}`);
  }
  while (open.length > 0) out.push(`</li></${open.pop()!.tag}>`);
  return { html: out.join(""), next: i };
}
