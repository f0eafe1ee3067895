/**
 * Could two predicted file paths — either may be a glob — name the same file?
 * S9 asks this of every pair of independent stages.
 *
 * What it approximates: the answer is exact for literal characters, `?`,
 * `*` (within one path segment) and `**` (any number of segments). Character
 * classes (`[abc]`) are treated as "any one character" and brace sets
 * (`{a,b}`) are expanded, falling back to `**` when they expand to more than
 * MAX_BRACE_EXPANSIONS patterns. Both approximations only ever widen a
 * pattern, so the test is sound for S9's purpose: it can report an overlap
 * that cannot happen, never miss one that can.
 *
 * A path ending in `/` names a directory and means everything under it.
 */

const MAX_BRACE_EXPANSIONS = 64;

type CharToken = { kind: "lit"; char: string } | { kind: "one" } | { kind: "star" };
type Segment = { kind: "globstar" } | { kind: "chars"; tokens: CharToken[] };

export function globsOverlap(a: string, b: string): boolean {
  for (const left of expandBraces(normalisePath(a))) {
    for (const right of expandBraces(normalisePath(b))) {
      if (segmentsOverlap(toSegments(left), toSegments(right))) return true;
    }
  }
  return false;
}

/** `./src//a.ts` → `src/a.ts`; `src/api/` → `src/api/**`. */
export function normalisePath(path: string): string {
  let p = path.trim().replace(/\/{2,}/g, "/");
  while (p.startsWith("./")) p = p.slice(2);
  if (p.endsWith("/")) p += "**";
  return p;
}

export function isGlob(path: string): boolean {
  return /[*?[{]/.test(path);
}

function expandBraces(pattern: string): string[] {
  const open = pattern.indexOf("{");
  if (open < 0) return [pattern];
  const close = matchingBrace(pattern, open);
  if (close < 0) return [pattern]; // an unmatched `{` is a literal character
  const alternatives = splitTopLevel(pattern.slice(open + 1, close));
  const prefix = pattern.slice(0, open);
  const suffix = pattern.slice(close + 1);
  const out: string[] = [];
  for (const alt of alternatives) {
    for (const expanded of expandBraces(prefix + alt + suffix)) {
      out.push(expanded);
      if (out.length > MAX_BRACE_EXPANSIONS) return ["**"];
    }
  }
  return out;
}

function matchingBrace(pattern: string, open: number): number {
  let depth = 0;
  for (let i = open; i < pattern.length; i += 1) {
    if (pattern[i] === "{") depth += 1;
    if (pattern[i] === "}" && --depth === 0) return i;
  }
  return -1;
}

function splitTopLevel(body: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < body.length; i += 1) {
    if (body[i] === "{") depth += 1;
    if (body[i] === "}") depth -= 1;
    if (body[i] === "," && depth === 0) {
      parts.push(body.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(body.slice(start));
  return parts;
}

function toSegments(pattern: string): Segment[] {
  return pattern
    .split("/")
    .filter((s) => s !== "")
    .map((s): Segment => (s === "**" ? { kind: "globstar" } : { kind: "chars", tokens: toTokens(s) }));
}

function toTokens(segment: string): CharToken[] {
  const tokens: CharToken[] = [];
  for (let i = 0; i < segment.length; i += 1) {
    const c = segment[i];
    if (c === "\\" && i + 1 < segment.length) {
      tokens.push({ kind: "lit", char: segment[++i] });
    } else if (c === "*") {
      // `a**b` inside a segment behaves as `a*b`.
      if (tokens.at(-1)?.kind !== "star") tokens.push({ kind: "star" });
    } else if (c === "?") {
      tokens.push({ kind: "one" });
    } else if (c === "[" && segment.indexOf("]", i + 2) > 0) {
      tokens.push({ kind: "one" }); // widened: any character instead of the class
      i = segment.indexOf("]", i + 2);
    } else {
      tokens.push({ kind: "lit", char: c });
    }
  }
  return tokens;
}

/** Is there a sequence of path segments both patterns match? */
function segmentsOverlap(a: Segment[], b: Segment[]): boolean {
  return intersects(
    a,
    b,
    (x) => x.kind === "globstar",
    (x, y) => x.kind === "chars" && y.kind === "chars" && tokensOverlap(x.tokens, y.tokens),
  );
}

/** Is there a string of characters both segment patterns match? */
function tokensOverlap(a: CharToken[], b: CharToken[]): boolean {
  return intersects(
    a,
    b,
    (x) => x.kind === "star",
    (x, y) => x.kind === "one" || y.kind === "one" || (x.kind === "lit" && y.kind === "lit" && x.char === y.char),
  );
}

/**
 * Emptiness of the intersection of two patterns made of single items and
 * Kleene-star items (`*` over characters, `**` over segments). State (i, j)
 * means "a[i..] and b[j..] can still match a common rest". A star may match
 * nothing (skip it) or swallow the next item of the other side; two stars
 * can always share what they match. Each call advances i or j, so with the
 * memo it is O(|a|·|b|).
 */
function intersects<T>(a: T[], b: T[], isStar: (x: T) => boolean, singlesOverlap: (x: T, y: T) => boolean): boolean {
  const memo = new Map<number, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = i * (b.length + 1) + j;
    const cached = memo.get(key);
    if (cached !== undefined) return cached;
    let result: boolean;
    if (i === a.length && j === b.length) result = true;
    else if (i < a.length && isStar(a[i])) result = go(i + 1, j) || (j < b.length && go(i, j + 1));
    else if (j < b.length && isStar(b[j])) result = go(i, j + 1) || (i < a.length && go(i + 1, j));
    else if (i < a.length && j < b.length) result = singlesOverlap(a[i], b[j]) && go(i + 1, j + 1);
    else result = false;
    memo.set(key, result);
    return result;
  };
  return go(0, 0);
}
