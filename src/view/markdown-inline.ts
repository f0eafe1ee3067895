import { escapeHtml, safeHref } from "./escape.js";

/**
 * Inline markdown (code spans, links, emphasis, a few bare HTML tags) for the
 * view page. Output is built from tokens: text between them is escaped, and
 * only tags this file writes itself reach the page, so no input can add an
 * attribute, a script or a request. Images become links (an `<img>` would
 * load something). Every quantifier is bounded so that a hostile comment
 * cannot make the scan quadratic.
 */

/**
 * Bare tags okstra's own comments use (`<details><summary><b>…`, `<sub>`,
 * `<code>` in a summary), accepted from anyone only without attributes:
 * then they can do no harm.
 */
const INLINE_TAGS = new Set(["b", "i", "em", "strong", "code", "sub", "sup", "kbd", "small", "summary"]);

/** Block-level state shared by the inline runs of one document: `<details>` may open on one line and close lines later. */
export interface DetailsDepth {
  open: number;
}

const TOKEN = new RegExp(
  [
    String.raw`(?<escape>\\[!-/:-@[-\x60{-~])`,
    String.raw`(?<code>(?<!\x60)(?<ticks>\x60+)(?<codeText>[^\x60](?:[\s\S]{0,4000}?[^\x60])?)\k<ticks>(?!\x60))`,
    String.raw`(?<image>!\[(?<alt>[^\]\n]{0,500})\]\((?<imageUrl>[^()\s]{0,2000})(?:\s+"[^"\n]{0,300}")?\))`,
    String.raw`(?<link>\[(?<label>(?:[^[\]\n]|\[[^[\]\n]{0,300}\]){0,500})\]\((?<url>[^()\s]{0,2000}(?:\([^()\s]{0,200}\)[^()\s]{0,200})?)(?:\s+"[^"\n]{0,300}")?\))`,
    String.raw`(?<strong>\*\*(?=\S)(?<strongText>[\s\S]{0,1000}?\S)\*\*)`,
    String.raw`(?<em>(?<![\w*])\*(?=[^\s*])(?<emText>[^*]{0,1000}?[^\s*])\*(?![\w*]))`,
    String.raw`(?<del>~~(?=\S)(?<delText>[^~]{0,1000}?\S)~~)`,
    String.raw`(?<tag><(?<slash>/?)(?<tagName>[a-z]+)\s*/?>)`,
    String.raw`(?<entity>&(?:#\d{1,7}|#x[0-9a-f]{1,6}|[a-z][a-z0-9]{1,31});)`,
    String.raw`(?<autolink>\bhttps?://[^\s<>"'\x60)\]]{1,2000})`,
  ].join("|"),
  "gi",
);

export function renderInline(source: string, details: DetailsDepth = { open: 0 }): string {
  const out: string[] = [];
  const openTags: string[] = [];
  let last = 0;
  TOKEN.lastIndex = 0;
  for (let match = TOKEN.exec(source); match !== null; match = TOKEN.exec(source)) {
    const rendered = renderToken(match.groups ?? {}, openTags, details);
    if (rendered === null) continue; // not ours after all (an unknown tag): stays text
    out.push(escapeHtml(source.slice(last, match.index)), rendered);
    last = match.index + match[0].length;
  }
  out.push(escapeHtml(source.slice(last)));
  // A tag left open would run on into the rest of the page.
  out.push(...openTags.reverse().map((tag) => `</${tag}>`));
  return out.join("");
}

function renderToken(g: Record<string, string | undefined>, openTags: string[], details: DetailsDepth): string | null {
  // Nested runs are rendered by a fresh call, so the regex's lastIndex must be saved around them.
  const nested = (text: string) => {
    const saved = TOKEN.lastIndex;
    const html = renderInline(text, details);
    TOKEN.lastIndex = saved;
    return html;
  };
  if (g.escape) return escapeHtml(g.escape.slice(1));
  if (g.code !== undefined) return `<code>${escapeHtml(trimCodeSpan(g.codeText ?? ""))}</code>`;
  if (g.image !== undefined) return link(`image: ${escapeHtml(g.alt ?? "")}`, g.imageUrl ?? "");
  if (g.link !== undefined) return link(nested(g.label ?? ""), g.url ?? "");
  if (g.strong !== undefined) return `<strong>${nested(g.strongText ?? "")}</strong>`;
  if (g.em !== undefined) return `<em>${nested(g.emText ?? "")}</em>`;
  if (g.del !== undefined) return `<del>${nested(g.delText ?? "")}</del>`;
  if (g.entity !== undefined) return g.entity; // a character reference is inert text
  if (g.autolink !== undefined) return link(escapeHtml(g.autolink), g.autolink);
  if (g.tag !== undefined) return tag((g.tagName ?? "").toLowerCase(), g.slash === "/", openTags, details);
  return null;
}

/** CommonMark: one leading and trailing space is stripped when both are there (so `` `` `x` `` `` can show a backtick). */
function trimCodeSpan(text: string): string {
  const flat = text.replace(/\n/g, " ");
  return /^ .* $/.test(flat) && flat.trim() !== "" ? flat.slice(1, -1) : flat;
}

function link(labelHtml: string, url: string): string {
  const href = safeHref(url);
  if (href === null) return url === "" ? labelHtml : `${labelHtml} <code class="url">${escapeHtml(url)}</code>`;
  return `<a href="${escapeHtml(href)}">${labelHtml}</a>`;
}

function tag(name: string, closing: boolean, openTags: string[], details: DetailsDepth): string | null {
  if (name === "br") return closing ? null : "<br>";
  if (name === "details") {
    // Inline tags open inside the details must close before it does.
    const flush = openTags
      .splice(0)
      .reverse()
      .map((t) => `</${t}>`)
      .join("");
    if (!closing) {
      details.open += 1;
      return `${flush}<details>`;
    }
    if (details.open === 0) return flush; // a stray closer is dropped
    details.open -= 1;
    return `${flush}</details>`;
  }
  if (!INLINE_TAGS.has(name)) return null;
  if (!closing) {
    openTags.push(name);
    return `<${name}>`;
  }
  const at = openTags.lastIndexOf(name);
  if (at < 0) return "";
  return openTags
    .splice(at)
    .reverse()
    .map((t) => `</${t}>`)
    .join("");
}
