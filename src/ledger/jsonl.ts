import type { z } from "zod";
import { LedgerCorruptError } from "./errors.js";
import { ledgerRowSchema, type LedgerRow } from "./rows.js";

/**
 * `ledger.jsonl`: one row per line. Reading is strict — a line that is not
 * JSON or not a valid row stops everything with the file and line, because a
 * mutation computed from a partly-read ledger would silently drop history.
 * Writing only ever appends text, so rows are never re-serialised.
 */

/** Each line's validated row and the JSON as stored (its `mac` and any members this okstra does not know included). */
export function parseRows(text: string, file: string): Array<{ row: LedgerRow; value: Record<string, unknown> }> {
  const rows: Array<{ row: LedgerRow; value: Record<string, unknown> }> = [];
  const lines = text.split("\n");
  // A final newline leaves one empty string; blank lines elsewhere are not something okstra writes.
  if (lines.at(-1) === "") lines.pop();
  lines.forEach((line, i) => {
    const lineNumber = i + 1;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new LedgerCorruptError(file, lineNumber, `not JSON (${(error as Error).message})`);
    }
    const parsed = ledgerRowSchema.safeParse(value);
    if (!parsed.success) throw new LedgerCorruptError(file, lineNumber, describeIssues(parsed.error));
    rows.push({ row: parsed.data, value: value as Record<string, unknown> });
  });
  return rows;
}

/** The new file text: the old text untouched (a missing final newline restored) plus one line per row. */
export function appendRowsText(existing: string | null, rows: readonly LedgerRow[]): string {
  const head = existing === null || existing === "" ? "" : existing.endsWith("\n") ? existing : `${existing}\n`;
  return head + rows.map((row) => `${JSON.stringify(row)}\n`).join("");
}

/** `stage: expected number, received string; url: invalid URL` — each issue with its key path. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "(row)"}: ${issue.message}`)
    .join("; ");
}
