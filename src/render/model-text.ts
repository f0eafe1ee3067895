import { PULL_REQUEST_TITLE_LIMIT, sliceWholeChars } from "../util/text.js";

/**
 * Text a model wrote, made safe to place in a comment, PR body or check run.
 * Models read the repository and the issue, so their text can carry what an
 * attacker planted there: HTML that closes okstra's `<details>` or hides
 * content, and mentions that ping a whole organisation from okstra's account.
 */

/**
 * The text split at GitHub's code spans: odd indices are spans, kept as
 * written; even indices are markdown. CommonMark's rule (which GitHub
 * follows): a run of N backticks opens a span only if a later run of exactly
 * N backticks closes it; an opening run with no closer is literal backticks,
 * and the text after it is markdown — where tags and mentions are live.
 */
export function splitCodeSpans(text: string): string[] {
  const parts: string[] = [];
  let plainFrom = 0;
  let at = 0;
  while (at < text.length) {
    const open = /`+/g;
    open.lastIndex = at;
    const opening = open.exec(text);
    if (!opening) break;
    const closer = closingRun(text, opening.index + opening[0].length, opening[0].length);
    if (closer < 0) {
      at = opening.index + opening[0].length; // literal backticks: keep scanning the markdown after them
      continue;
    }
    parts.push(text.slice(plainFrom, opening.index), text.slice(opening.index, closer + opening[0].length));
    plainFrom = at = closer + opening[0].length;
  }
  parts.push(text.slice(plainFrom));
  return parts;
}

/** Where the next run of exactly `length` backticks starts at or after `from`, or -1. */
function closingRun(text: string, from: number, length: number): number {
  const runs = /`+/g;
  runs.lastIndex = from;
  for (let run = runs.exec(text); run; run = runs.exec(text)) if (run[0].length === length) return run.index;
  return -1;
}

/** Applies `change` to the markdown outside code spans only. */
function outsideCodeSpans(text: string, change: (markdown: string) => string): string {
  return splitCodeSpans(text)
    .map((part, i) => (i % 2 === 1 ? part : change(part)))
    .join("");
}

/** `<` that would open a tag, outside code spans, becomes `&lt;`: no `</details>`, `<img>` or `<!--` from a model. */
export function neutraliseTags(text: string): string {
  return outsideCodeSpans(text, (markdown) => markdown.replace(/<(?=[A-Za-z/!?])/g, "&lt;"));
}

/**
 * `@user`, `@org/team` and `@everyone` outside code spans get a zero-width
 * space after the `@`: they read the same but notify nobody. (A code span
 * never notifies.) An e-mail address is left alone, as GitHub does.
 */
export function neutraliseMentions(text: string): string {
  return outsideCodeSpans(text, (markdown) => markdown.replace(/(^|[^\w`@])@(?=[A-Za-z0-9])/g, "$1@\u200B"));
}

/** Both: what every piece of model text rendered as markdown goes through. */
export function neutraliseModelText(text: string): string {
  return neutraliseMentions(neutraliseTags(text));
}

/**
 * One line of model text as markdown: line breaks collapse and tags and
 * mentions are neutralised, so a model cannot close okstra's `<details>`.
 */
export function inlineModelText(text: string): string {
  return neutraliseModelText(text.replace(/\s*\n\s*/g, " ").trim());
}

/** A markdown paragraph block of model text that keeps its line breaks. */
export function blockModelText(text: string): string {
  return neutraliseModelText(text.trim());
}

/**
 * Model text inside HTML (a `<summary>` line): escaped, and every mention
 * neutralised — inside HTML, GitHub renders backticks literally, so a
 * backticked `@org/team` there would notify.
 */
export function htmlModelText(text: string): string {
  return text
    .replace(/\s+/g, " ")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/(^|[^\w@])@(?=[A-Za-z0-9])/g, "$1@\u200B");
}

/** A code span whose fence is longer than any backtick run in its content. */
export function codeSpan(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  const longestRun = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const ticks = "`".repeat(longestRun + 1);
  return longestRun > 0 ? `${ticks} ${flat} ${ticks}` : `${ticks}${flat}${ticks}`;
}

/**
 * `prefix` + the model's `title` (one line, shortened with `…` when needed)
 * + `suffix`, within GitHub's title limit: the stage number and the issue
 * reference okstra adds always survive.
 */
export function fitTitle(
  prefix: string,
  title: string,
  suffix: string,
  limit: number = PULL_REQUEST_TITLE_LIMIT,
): string {
  const flat = title.replace(/\s+/g, " ").trim();
  const room = limit - prefix.length - suffix.length;
  if (flat.length <= room) return `${prefix}${flat}${suffix}`;
  return `${prefix}${sliceWholeChars(flat, room - 1)}…${suffix}`;
}
