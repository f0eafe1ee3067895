import { PULL_REQUEST_TITLE_LIMIT, sliceWholeChars } from "../../util/text.js";
import type { CheckAnnotation, CheckRunOutput } from "../types.js";

/** GitHub's documented limits for a check run's output (Checks API). */
export const MAX_ANNOTATIONS_PER_REQUEST = 50;
export const MAX_OUTPUT_TEXT_CHARS = 65_535;
export const MAX_ANNOTATION_TITLE_CHARS = 255;
/** An annotation's `message` is at most 64 KB (bytes, not characters). */
export const MAX_ANNOTATION_MESSAGE_BYTES = 64 * 1024;
/** Issue comments and pull request bodies: GitHub answers 422 beyond 65,536 characters. */
export const MAX_BODY_CHARS = 65_536;

/**
 * Cuts `text` to `limit` characters, ending with a notice that says how much
 * was dropped, so a reader never mistakes a truncated summary for a full one.
 */
export function truncateWithNotice(text: string, limit: number = MAX_OUTPUT_TEXT_CHARS): string {
  if (text.length <= limit) return text;
  const notice = (omitted: number) =>
    `\n\n… truncated by okstra: ${omitted} characters omitted (GitHub's limit is ${limit}).`;
  // The notice's own length depends on the count; the longest count is the whole text.
  const kept = sliceWholeChars(text, limit - notice(text.length).length);
  return kept + notice(text.length - kept.length);
}

/** A title cut to `limit` characters with `…`; okstra's renderers already fit theirs, this is the last guard. */
export function clampTitle(title: string, limit: number = PULL_REQUEST_TITLE_LIMIT): string {
  return title.length <= limit ? title : `${sliceWholeChars(title, limit - 1)}…`;
}

/** `text` within `limit` UTF-8 bytes, with the notice; a character count would let multi-byte text past. */
function truncateBytesWithNotice(text: string, limit: number): string {
  if (Buffer.byteLength(text, "utf8") <= limit) return text;
  let chars = Math.min(text.length, limit);
  while (chars > 0 && Buffer.byteLength(truncateWithNotice(text, chars), "utf8") > limit)
    chars = Math.floor(chars * 0.9);
  return truncateWithNotice(text, chars);
}

function clampAnnotation(annotation: CheckAnnotation): CheckAnnotation {
  const message = truncateBytesWithNotice(annotation.message, MAX_ANNOTATION_MESSAGE_BYTES);
  const title = annotation.title === undefined ? undefined : clampTitle(annotation.title, MAX_ANNOTATION_TITLE_CHARS);
  return { ...annotation, message, ...(title === undefined ? {} : { title }) };
}

/** Output as GitHub accepts it: text fields within limits, annotations split into batches of 50. */
export function splitOutput(output: CheckRunOutput): { first: CheckRunOutput; followUps: CheckRunOutput[] } {
  const base: CheckRunOutput = { title: output.title, summary: truncateWithNotice(output.summary) };
  if (output.text !== undefined) base.text = truncateWithNotice(output.text);
  const annotations = (output.annotations ?? []).map(clampAnnotation);
  const batches: CheckAnnotation[][] = [];
  for (let i = 0; i < annotations.length; i += MAX_ANNOTATIONS_PER_REQUEST)
    batches.push(annotations.slice(i, i + MAX_ANNOTATIONS_PER_REQUEST));
  if (batches.length === 0) return { first: base, followUps: [] };
  // Each update needs title and summary again; GitHub appends its annotations to the ones already there.
  return {
    first: { ...base, annotations: batches[0] },
    followUps: batches.slice(1).map((batch) => ({ ...base, annotations: batch })),
  };
}
