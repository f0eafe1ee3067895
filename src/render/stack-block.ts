/**
 * The navigation block of a stage PR (SPEC §7.1) and the rules for rewriting
 * okstra's own sections inside a body that people may have edited:
 *   1. normalise CRLF to LF (GitHub's web editor saves CRLF);
 *   2. find the section by its markers: absent → insert it, present once and
 *      in order → replace only between them, damaged or duplicated → refuse;
 *   3. keep the body within GitHub's limit by shortening okstra's generated
 *      description, never the user's text and never the block;
 *   4. a result equal to the (normalised) input is `unchanged`: no write.
 * Text outside the markers is never touched.
 */

export const GITHUB_BODY_LIMIT = 65_536;

/** A marker is matched by its prefix up to the comment's `-->`, so the explanatory words may change between versions. */
export interface SectionMarkers {
  name: string;
  start: string;
  end: string;
  /** Text right after the end marker that belongs to the section (the stack block's meta line). */
  tail?: RegExp;
}

export const STACK_START = "<!-- okstra:stack:start (generated; edits inside are overwritten) -->";
export const STACK_END = "<!-- okstra:stack:end -->";
export const STACK_MARKERS: SectionMarkers = {
  name: "stack block",
  start: "<!-- okstra:stack:start",
  end: "<!-- okstra:stack:end",
  tail: /^\n?<!-- okstra:meta [^\n]*?-->/,
};

/** okstra's generated description of a stage PR (stage-pr-body.ts); the only text the size limit may shorten. */
export const STAGE_BODY_START = "<!-- okstra:stage-body:start (generated; edits inside are overwritten) -->";
export const STAGE_BODY_END = "<!-- okstra:stage-body:end -->";
export const STAGE_BODY_MARKERS: SectionMarkers = {
  name: "stage description",
  start: "<!-- okstra:stage-body:start",
  end: "<!-- okstra:stage-body:end",
};

// ── Rendering ───────────────────────────────────────────────────────────────

export const STACK_STATES = [
  "not-started",
  "draft",
  "verifying",
  "verified",
  "conditional",
  "blocked",
  "failed",
  "merged",
  "shipped",
] as const;
export type StackState = (typeof STACK_STATES)[number];

export interface StackEntry {
  stage: number;
  title: string;
  /** The stages this one depends on (the plan's `dependsOn`). */
  dependsOn?: readonly number[];
  pr?: number;
  state: StackState;
  /** The group PR that ships the stage (state `shipped`). */
  shippedIn?: number;
}

export interface StackMeta {
  task: number;
  stage: number;
  /** The stage head the block was written for. */
  head?: string;
}

const STATE_LABEL: Record<StackState, string> = {
  "not-started": "not started",
  draft: "📝 draft",
  verifying: "⏳ verifying",
  verified: "✅ verified",
  conditional: "⚠️ conditionally accepted",
  blocked: "⛔ blocked",
  failed: "❌ failed",
  merged: "🟣 merged",
  shipped: "🚢 shipped",
};

/**
 * The block shows the DAG as it is: the stage's dependencies and dependents
 * (linked where they have a PR), never "previous/next" by number, which would
 * chain independent stages. The current stage's own row says "this PR" rather
 * than its number, so the block a new PR is opened with is already final: no
 * edit right after the create (SPEC §13 request budget).
 */
export function renderStackBlock(entries: readonly StackEntry[], current: number, meta: StackMeta): string {
  const ordered = [...entries].sort((a, b) => a.stage - b.stage);
  const self = ordered.find((e) => e.stage === current);
  if (!self) throw new Error(`stack block for stage ${current}, which is not among the entries`);
  const byStage = new Map(ordered.map((e) => [e.stage, e]));
  const dependencies = [...(self.dependsOn ?? [])].sort((a, b) => a - b);
  const dependents = ordered.filter((e) => e.dependsOn?.includes(current)).map((e) => e.stage);
  const nav = [`**Stage ${current} of ${ordered.length}**`];
  nav.push(
    `depends on: ${dependencies.length === 0 ? "nothing" : dependencies.map((d) => stageLink(byStage.get(d), d)).join(", ")}`,
  );
  nav.push(
    `needed by: ${dependents.length === 0 ? "nothing" : dependents.map((d) => stageLink(byStage.get(d), d)).join(", ")}`,
  );
  const rows = ordered.map((e) => stackRow(e, e.stage === current));
  const metaJson = JSON.stringify({
    v: 1,
    task: meta.task,
    stage: meta.stage,
    ...(meta.head ? { head: meta.head } : {}),
  });
  const header = ["| | stage | depends on | PR | state |", "|---|---|---|---|---|"];
  return [STACK_START, nav.join(" · "), ...header, ...rows, STACK_END, `<!-- okstra:meta ${metaJson} -->`].join("\n");
}

/** `stage 1 (#101)`, or `stage 1` while it has no PR. */
function stageLink(entry: StackEntry | undefined, stage: number): string {
  return entry?.pr === undefined ? `stage ${stage}` : `stage ${stage} (#${entry.pr})`;
}

function stackRow(entry: StackEntry, current: boolean): string {
  const label = `${entry.stage} · ${titleCell(entry.title)}`;
  const deps =
    entry.dependsOn && entry.dependsOn.length > 0 ? [...entry.dependsOn].sort((a, b) => a - b).join(", ") : "—";
  const pr = entry.pr === undefined ? "—" : `#${entry.pr}`;
  const state =
    entry.state === "shipped" && entry.shippedIn !== undefined
      ? `${STATE_LABEL.shipped} in #${entry.shippedIn}`
      : STATE_LABEL[entry.state];
  if (!current) return `| | ${label} | ${deps} | ${pr} | ${state} |`;
  return `| ➡️ | **${label}** | ${deps} | **this PR** | ${state} |`;
}

/** One table cell of model-written text: one line, no column break, and no `<` that could open a comment or tag inside the block. */
function titleCell(title: string): string {
  return title.replace(/\s+/g, " ").trim().replace(/\|/g, "\\|").replace(/</g, "&lt;");
}

// ── Finding and replacing sections ──────────────────────────────────────────

export type SectionReplacement =
  | { kind: "unchanged" | "replaced" | "appended"; body: string }
  | { kind: "refused"; reason: string };

type Located =
  | { kind: "absent" }
  | { kind: "damaged"; reason: string }
  /** `from`..`to` is the whole section; `innerFrom`..`innerTo` is what lies between the two markers. */
  | { kind: "found"; from: number; to: number; innerFrom: number; innerTo: number };

export function normaliseNewlines(text: string): string {
  return text.replace(/\r\n/g, "\n");
}

function occurrences(text: string, needle: string): number[] {
  const found: number[] = [];
  for (let i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length)) found.push(i);
  return found;
}

export function locateSection(body: string, markers: SectionMarkers): Located {
  const starts = occurrences(body, markers.start);
  const ends = occurrences(body, markers.end);
  if (starts.length === 0 && ends.length === 0) return { kind: "absent" };
  if (starts.length > 1 || ends.length > 1) {
    return {
      kind: "damaged",
      reason: `duplicated ${markers.name}: ${starts.length} start and ${ends.length} end markers`,
    };
  }
  if (ends.length === 0)
    return { kind: "damaged", reason: `damaged ${markers.name}: a start marker without an end marker` };
  if (starts.length === 0)
    return { kind: "damaged", reason: `damaged ${markers.name}: an end marker without a start marker` };
  const startClose = body.indexOf("-->", starts[0]);
  const endClose = body.indexOf("-->", ends[0]);
  if (ends[0] < starts[0] || startClose < 0 || startClose > ends[0]) {
    return {
      kind: "damaged",
      reason: `damaged ${markers.name}: the end marker comes before the start marker is closed`,
    };
  }
  if (endClose < 0) return { kind: "damaged", reason: `damaged ${markers.name}: the end marker is not closed` };
  let to = endClose + 3;
  const tail = markers.tail?.exec(body.slice(to));
  if (tail) to += tail[0].length;
  return { kind: "found", from: starts[0], to, innerFrom: startClose + 3, innerTo: ends[0] };
}

/** The section as it appears in `text` (which okstra rendered itself, so it must be there exactly once). */
export function extractSection(text: string, markers: SectionMarkers): string {
  const located = locateSection(normaliseNewlines(text), markers);
  if (located.kind !== "found") throw new Error(`rendered text has no single ${markers.name} (${located.kind})`);
  return normaliseNewlines(text).slice(located.from, located.to);
}

/**
 * Puts `section` into `body` (already LF): between the existing markers, or —
 * when there are none — appended after a blank line or prepended before one.
 * The size limit and the `unchanged` check are the caller's.
 */
export function placeSection(
  body: string,
  markers: SectionMarkers,
  section: string,
  whenAbsent: "append" | "prepend",
): SectionReplacement {
  const located = locateSection(body, markers);
  if (located.kind === "damaged") return { kind: "refused", reason: located.reason };
  if (located.kind === "found")
    return { kind: "replaced", body: body.slice(0, located.from) + section + body.slice(located.to) };
  if (body === "") return { kind: "appended", body: section };
  if (whenAbsent === "prepend") return { kind: "appended", body: `${section}\n\n${body}` };
  const gap = body.endsWith("\n\n") ? "" : body.endsWith("\n") ? "\n" : "\n\n";
  return { kind: "appended", body: `${body}${gap}${section}` };
}

/**
 * SPEC §7.1's update rules for the navigation block. `block` is what
 * `renderStackBlock` returned: from the start marker through the meta line.
 */
export function replaceStackBlock(body: string, block: string): SectionReplacement {
  const current = normaliseNewlines(body);
  const placed = placeSection(current, STACK_MARKERS, extractSection(block, STACK_MARKERS), "append");
  return settle(current, placed);
}

/** Applies the size limit to a placed body and decides between a write and `unchanged`. */
export function settle(current: string, placed: SectionReplacement): SectionReplacement {
  if (placed.kind === "refused") return placed;
  const fitted = fitBodyToLimit(placed.body);
  if (!fitted.ok) return { kind: "refused", reason: fitted.reason };
  if (fitted.body === current) return { kind: "unchanged", body: current };
  return { kind: placed.kind === "appended" ? "appended" : "replaced", body: fitted.body };
}

// ── The size limit ──────────────────────────────────────────────────────────

/**
 * Shortens okstra's generated stage description so the body fits; refuses
 * when there is none, or when the user's text and the block alone are too long.
 */
export function fitBodyToLimit(
  body: string,
  limit: number = GITHUB_BODY_LIMIT,
): { ok: true; body: string } | { ok: false; reason: string } {
  if (body.length <= limit) return { ok: true, body };
  const located = locateSection(body, STAGE_BODY_MARKERS);
  if (located.kind !== "found") {
    return {
      ok: false,
      reason: `the body would be ${body.length} characters (GitHub's limit is ${limit}) and has no okstra-generated description to shorten`,
    };
  }
  const inner = body.slice(located.innerFrom, located.innerTo);
  const cut = truncateMarkdown(inner, inner.length - (body.length - limit), limit);
  if (cut === null) {
    const rest = body.length - inner.length;
    return {
      ok: false,
      reason: `the text outside okstra's generated description takes ${rest} characters; GitHub's limit is ${limit}`,
    };
  }
  return { ok: true, body: body.slice(0, located.innerFrom) + cut + body.slice(located.innerTo) };
}

export function truncationNotice(omitted: number, limit: number = GITHUB_BODY_LIMIT): string {
  return (
    `\n> [!WARNING]\n> **Truncated by okstra:** ${omitted.toLocaleString("en-US")} characters of this generated description were left out ` +
    `to keep the pull request under GitHub's ${limit.toLocaleString("en-US")}-character limit. ` +
    "The complete record is the stage's carry file on branch `okstra/ledger`.\n"
  );
}

/**
 * Cuts markdown to at most `max` characters at a line boundary, closes a code
 * fence or `<details>` the cut left open (an open fence would swallow the
 * navigation block below it), and ends with the truncation notice.
 * Null when not even the notice fits.
 */
export function truncateMarkdown(text: string, max: number, limit: number = GITHUB_BODY_LIMIT): string | null {
  if (text.length <= max) return text;
  let keep = max;
  while (keep > 0) {
    const kept = cutAtLine(text, keep);
    const result = kept + closeOpenBlocks(kept) + truncationNotice(text.length - kept.length, limit);
    if (result.length <= max) return result;
    keep = kept.length - (result.length - max);
  }
  const bare = truncationNotice(text.length, limit);
  return bare.length <= max ? bare : null;
}

function cutAtLine(text: string, keep: number): string {
  const slice = text.slice(0, keep);
  const lineEnd = slice.lastIndexOf("\n");
  if (lineEnd >= 0) return slice.slice(0, lineEnd + 1);
  // One very long line: cut inside it, but never between the halves of a surrogate pair.
  return /[\uD800-\uDBFF]$/.test(slice) ? slice.slice(0, -1) : slice;
}

/** The closing lines for a code fence and `<details>` elements left open at the end of `text`. */
function closeOpenBlocks(text: string): string {
  let fence: string | null = null;
  let details = 0;
  for (const line of text.split("\n")) {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence !== null) {
      if (marker && marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker) fence = null;
      continue;
    }
    if (marker) fence = marker;
    else details += (line.match(/<details\b/g) ?? []).length - (line.match(/<\/details>/g) ?? []).length;
  }
  const closers = [
    ...(fence !== null ? [fence] : []),
    ...Array.from({ length: Math.max(0, details) }, () => "</details>"),
  ];
  const lead = text.endsWith("\n") || text === "" ? "" : "\n";
  return closers.length === 0 ? lead : `${lead}${closers.join("\n")}\n`;
}
