import type { WorkerRequest } from "./types.js";

/**
 * Near-miss answers, read with honesty. A model that writes `"Major"` for
 * `"major"`, `"agree"` for `"AGREE"`, answers `F-1` for the finding it was
 * sent as `V1-F-1`, or reviews one plan item that does not exist, has still
 * answered; rejecting the whole document would throw away every other
 * answer in it (and, for a plan review, abort the gate). So before zod
 * judges a result, the unambiguous slips are corrected and the rest of the
 * answer is kept — and every correction or dropped entry is written down as
 * a note that travels with the worker's outcome into its ledger record.
 * Nothing is corrected silently, and nothing ambiguous is guessed: an id
 * that matches no item, or more than one, is dropped with a note.
 */

export interface Normalised {
  document: unknown;
  notes: string[];
}

type Node = Record<string, unknown>;

function isNode(value: unknown): value is Node {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const SEVERITIES = ["blocker", "major", "minor", "nit"];
const VERDICTS = ["AGREE", "DISAGREE", "SUPPLEMENT"];

/** `value` spelled as one of `allowed` when only the letter case differs. */
function foldCase(value: unknown, allowed: readonly string[]): string | undefined {
  if (typeof value !== "string" || allowed.includes(value)) return undefined;
  return allowed.find((a) => a.toLowerCase() === value.trim().toLowerCase());
}

export function normaliseNearMiss(request: Pick<WorkerRequest, "role" | "input">, document: unknown): Normalised {
  if (!isNode(document)) return { document, notes: [] };
  switch (request.role) {
    case "verifier":
      return normaliseFindings(document);
    case "reviewer":
      return normaliseAnswers(
        document,
        knownIds(request.input, "findings", (f) => (isNode(f) ? f.id : undefined)),
      );
    case "plan-reviewer":
      return normaliseReviews(
        document,
        knownIds(request.input, "items", (i) => i),
      );
    default:
      return { document, notes: [] };
  }
}

function knownIds(input: unknown, key: string, idOf: (entry: unknown) => unknown): string[] | undefined {
  const list = isNode(input) ? input[key] : undefined;
  if (!Array.isArray(list)) return undefined;
  return list.map(idOf).filter((id): id is string => typeof id === "string");
}

function normaliseFindings(document: Node): Normalised {
  const notes: string[] = [];
  if (!Array.isArray(document.findings)) return { document, notes };
  const findings = document.findings.map((finding) => {
    if (!isNode(finding)) return finding;
    const out: Node = { ...finding };
    const label = typeof out.id === "string" ? out.id : "a finding";
    const severity = foldCase(out.severity, SEVERITIES);
    if (severity) {
      notes.push(`${label}: severity ${JSON.stringify(out.severity)} read as "${severity}"`);
      out.severity = severity;
    }
    if (typeof out.stage === "string" && /^\d+$/.test(out.stage.trim())) {
      notes.push(`${label}: stage ${JSON.stringify(out.stage)} read as ${Number(out.stage)}`);
      out.stage = Number(out.stage);
    }
    if (out.evidence === undefined) {
      notes.push(`${label}: no evidence given; recorded with none`);
      out.evidence = [];
    }
    if (Array.isArray(out.evidence)) out.evidence = out.evidence.map((e) => fileLevel(e, label, notes));
    return out;
  });
  return { document: { ...document, findings }, notes };
}

/** A line that is not a positive integer makes the evidence file-level, said so; a numeric string is read as its number. */
function fileLevel(evidence: unknown, label: string, notes: string[]): unknown {
  if (!isNode(evidence) || evidence.line === undefined) return evidence;
  const line =
    typeof evidence.line === "string" && /^\d+$/.test(evidence.line.trim()) ? Number(evidence.line) : evidence.line;
  if (typeof line === "number" && Number.isInteger(line) && line > 0)
    return line === evidence.line ? evidence : { ...evidence, line };
  const { line: dropped, ...rest } = evidence;
  notes.push(
    `${label}: evidence line ${JSON.stringify(dropped)} in ${String(evidence.path)} is not a line number; kept as file-level evidence`,
  );
  return rest;
}

/**
 * Resolves an id the worker wrote against the ids it was sent: exact, then
 * case-insensitive, then a unique id it is the tail of (`F-1` → `V1-F-1`).
 */
function resolveId(written: unknown, known: readonly string[]): string | undefined {
  if (typeof written !== "string") return undefined;
  if (known.includes(written)) return written;
  const w = written.trim().toLowerCase();
  const same = known.filter((id) => id.toLowerCase() === w);
  if (same.length === 1) return same[0];
  const tail = known.filter((id) => id.toLowerCase().endsWith(`-${w}`));
  return tail.length === 1 ? tail[0] : undefined;
}

function normaliseEntries(
  document: Node,
  listKey: string,
  idKey: string,
  known: readonly string[] | undefined,
  what: string,
): Normalised {
  const notes: string[] = [];
  const list = document[listKey];
  if (!Array.isArray(list)) return { document, notes };
  const kept: unknown[] = [];
  for (const entry of list) {
    if (!isNode(entry)) {
      kept.push(entry);
      continue;
    }
    const out: Node = { ...entry };
    const verdict = foldCase(out.verdict, VERDICTS);
    if (verdict) {
      notes.push(`${String(out[idKey])}: verdict ${JSON.stringify(out.verdict)} read as ${verdict}`);
      out.verdict = verdict;
    }
    if (known) {
      const id = resolveId(out[idKey], known);
      if (id === undefined) {
        notes.push(
          `answer about unknown ${what} ${JSON.stringify(out[idKey])} dropped (sent: ${known.join(", ") || "none"})`,
        );
        continue;
      }
      if (id !== out[idKey]) notes.push(`answer about ${JSON.stringify(out[idKey])} read as ${id}`);
      out[idKey] = id;
    }
    kept.push(out);
  }
  return { document: { ...document, [listKey]: kept }, notes };
}

function normaliseAnswers(document: Node, known: readonly string[] | undefined): Normalised {
  return normaliseEntries(document, "answers", "findingId", known, "finding");
}

function normaliseReviews(document: Node, known: readonly string[] | undefined): Normalised {
  return normaliseEntries(document, "reviews", "item", known, "plan item");
}
