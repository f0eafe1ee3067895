/**
 * Finding the result document in what a worker printed. Two shapes occur:
 * a process's stdout, whose *last* JSON document is the result (SPEC §12;
 * logs may come before it), and a model's text answer, which may wrap the
 * JSON in a Markdown fence or a sentence.
 */

export type Extracted = { ok: true; value: unknown } | { ok: false; error: string };

function tryParse(text: string): Extracted | undefined {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return undefined;
  }
}

/** Candidates tried from the end, so a huge non-JSON log cannot make this quadratic. */
const MAX_CANDIDATES = 200;

/**
 * The last JSON document of `text`: either the last line that is a JSON value
 * on its own (JSON Lines, logs before it), or a multi-line document that ends
 * the output.
 */
export function lastJsonDocument(text: string): Extracted {
  const lines = text.split("\n");
  const trimmedEnd = text.trimEnd();
  let offset = text.length;
  let tried = 0;
  for (let i = lines.length - 1; i >= 0 && tried < MAX_CANDIDATES; i--) {
    offset -= lines[i].length + (i < lines.length - 1 ? 1 : 0);
    const line = lines[i].trim();
    if (!line.startsWith("{") && !line.startsWith("[")) continue;
    tried++;
    const single = tryParse(line);
    if (single) return single;
    const toEnd = tryParse(trimmedEnd.slice(offset));
    if (toEnd) return toEnd;
  }
  return { ok: false, error: text.trim() === "" ? "the worker printed nothing" : "no JSON document found at the end of the output" };
}

/** The JSON in a model's text answer: a bare document, the last ```json fence, or the outermost braces. */
export function jsonFromModelText(text: string): Extracted {
  const trimmed = text.trim();
  if (trimmed === "") return { ok: false, error: "the answer is empty" };
  const whole = tryParse(trimmed);
  if (whole) return whole;
  const fences = [...trimmed.matchAll(/```(?:json)?\s*\n([\s\S]*?)\n\s*```/g)];
  const fenced = fences.length > 0 ? tryParse(fences[fences.length - 1][1]) : undefined;
  if (fenced) return fenced;
  const first = trimmed.indexOf("{");
  const last = trimmed.lastIndexOf("}");
  const braced = first >= 0 && last > first ? tryParse(trimmed.slice(first, last + 1)) : undefined;
  if (braced) return braced;
  return { ok: false, error: `the answer is not JSON: ${JSON.stringify(trimmed.slice(0, 200))}` };
}
