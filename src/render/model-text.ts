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

/** GitHub refuses a pull request title over 256 characters (422). */
export const MAX_PULL_TITLE_CHARS = 256;

/**
 * `prefix` + the model's `title` (one line, shortened with `…` when needed)
 * + `suffix`, within GitHub's title limit: the stage number and the issue
 * reference okstra adds always survive.
 */
export function fitTitle(prefix: string, title: string, suffix: string, limit: number = MAX_PULL_TITLE_CHARS): string {
  const flat = title.replace(/\s+/g, " ").trim();
  const room = limit - prefix.length - suffix.length;
  if (flat.length <= room) return `${prefix}${flat}${suffix}`;
  let keep = Math.max(0, room - 1);
  // Never split a UTF-16 surrogate pair.
  if (keep > 0 && /[\uD800-\uDBFF]/.test(flat[keep - 1]!)) keep -= 1;
  return `${prefix}${flat.slice(0, keep)}…${suffix}`;
}
