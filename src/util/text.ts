/**
 * The first non-empty line of a text, cut to `max` characters with an
 * ellipsis: how a reason, an error or a detail is shown on one line of a
 * status comment, a report or a check run.
 */
export function firstLine(text: string, max = 200): string {
  const line = text.split("\n").find((l) => l.trim() !== "") ?? "";
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
