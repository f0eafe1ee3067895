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
  return {
    ok: false,
    error: text.trim() === "" ? "the worker printed nothing" : "no JSON document found at the end of the output",
  };
}

/**
 * The JSON in a model's text answer or a chatty worker's output: a bare
 * document, else the last ```json fence that parses, else the last balanced
 * `{…}` / `[…]` span in the prose that parses (so a sentence before or after
 * it, or an earlier example object, does not hide the answer).
 */
export function jsonFromModelText(text: string): Extracted {
  const trimmed = text.trim();
  if (trimmed === "") return { ok: false, error: "the answer is empty" };
  const whole = tryParse(trimmed);
  if (whole) return whole;
  const fences = [...trimmed.matchAll(/```(?:json)?[^\S\n]*\n([\s\S]*?)\n\s*```/g)];
  for (let i = fences.length - 1; i >= 0; i--) {
    const fenced = tryParse(fences[i][1]);
    if (fenced) return fenced;
  }
  const spans = balancedSpans(trimmed);
  for (let i = spans.length - 1; i >= 0 && i >= spans.length - MAX_CANDIDATES; i--) {
    const parsed = tryParse(trimmed.slice(spans[i][0], spans[i][1]));
    if (parsed) return parsed;
  }
  return { ok: false, error: `the answer is not JSON: ${JSON.stringify(trimmed.slice(0, 200))}` };
}

/**
 * Top-level balanced `{…}` and `[…]` spans, with strings and escapes
 * respected. A span that never closes (a stray brace in prose) is skipped
 * by restarting just after its opening character.
 */
function balancedSpans(text: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c !== "{" && c !== "[") {
      i++;
      continue;
    }
    const end = closingIndex(text, i);
    if (end === undefined) {
      i++;
      continue;
    }
    spans.push([i, end + 1]);
    i = end + 1;
  }
  return spans;
}

function closingIndex(text: string, start: number): number | undefined {
  const stack: string[] = [];
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === "{" || c === "[") stack.push(c === "{" ? "}" : "]");
    else if (c === "}" || c === "]") {
      if (stack.pop() !== c) return undefined;
      if (stack.length === 0) return i;
    }
  }
  return undefined;
}
