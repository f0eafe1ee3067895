import type { CheckAnnotation, CheckRunOutput } from "../types.js";

/** GitHub's documented limits for a check run's output (Checks API). */
export const MAX_ANNOTATIONS_PER_REQUEST = 50;
export const MAX_OUTPUT_TEXT_CHARS = 65_535;
export const MAX_ANNOTATION_TITLE_CHARS = 255;

/**
 * Cuts `text` to `limit` characters, ending with a notice that says how much
 * was dropped, so a reader never mistakes a truncated summary for a full one.
 */
export function truncateWithNotice(text: string, limit: number = MAX_OUTPUT_TEXT_CHARS): string {
  if (text.length <= limit) return text;
  const notice = (omitted: number) => `\n\n… truncated by okstra: ${omitted} characters omitted (GitHub's limit is ${limit}).`;
  // The notice's own length depends on the count; the longest count is the whole text.
  let keep = limit - notice(text.length).length;
  // Never split a UTF-16 surrogate pair (an emoji would turn into U+FFFD).
  if (keep > 0 && /[\uD800-\uDBFF]/.test(text[keep - 1])) keep -= 1;
  return text.slice(0, keep) + notice(text.length - keep);
}

function clampAnnotation(annotation: CheckAnnotation): CheckAnnotation {
  if (annotation.title === undefined || annotation.title.length <= MAX_ANNOTATION_TITLE_CHARS) return annotation;
  return { ...annotation, title: `${annotation.title.slice(0, MAX_ANNOTATION_TITLE_CHARS - 1)}…` };
}

/** Output as GitHub accepts it: text fields within limits, annotations split into batches of 50. */
export function splitOutput(output: CheckRunOutput): { first: CheckRunOutput; followUps: CheckRunOutput[] } {
  const base: CheckRunOutput = { title: output.title, summary: truncateWithNotice(output.summary) };
  if (output.text !== undefined) base.text = truncateWithNotice(output.text);
  const annotations = (output.annotations ?? []).map(clampAnnotation);
  const batches: CheckAnnotation[][] = [];
  for (let i = 0; i < annotations.length; i += MAX_ANNOTATIONS_PER_REQUEST) batches.push(annotations.slice(i, i + MAX_ANNOTATIONS_PER_REQUEST));
  if (batches.length === 0) return { first: base, followUps: [] };
  // Each update needs title and summary again; GitHub appends its annotations to the ones already there.
  return { first: { ...base, annotations: batches[0] }, followUps: batches.slice(1).map((batch) => ({ ...base, annotations: batch })) };
}
