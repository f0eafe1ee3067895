/**
 * The first non-empty line of a text, cut to `max` characters with an
 * ellipsis: how a reason, an error or a detail is shown on one line of a
 * status comment, a report or a check run.
 */
export function firstLine(text: string, max = 200): string {
  const line = text.split("\n").find((l) => l.trim() !== "") ?? "";
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** GitHub answers 422 to a pull request title over 256 characters. */
export const PULL_REQUEST_TITLE_LIMIT = 256;

/** The first `count` UTF-16 units of `text`, one fewer if that would split a surrogate pair (an emoji would turn into U+FFFD). */
export function sliceWholeChars(text: string, count: number): string {
  const keep = count > 0 && /[\uD800-\uDBFF]/.test(text[count - 1] ?? "") ? count - 1 : count;
  return text.slice(0, Math.max(0, keep));
}
