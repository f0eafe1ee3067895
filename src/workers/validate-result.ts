import { z } from "zod";

/** A worker's document checked against its role's schema; the error text is what the retry shows the worker. */
export type Validation<T> = { ok: true; value: T } | { ok: false; error: string };

export function validateResult<T>(schema: z.ZodType<T>, document: unknown): Validation<T> {
  const parsed = schema.safeParse(document);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, error: z.prettifyError(parsed.error) };
}

/**
 * A validation error on one line, every issue kept (`path: message; …`): it
 * ends up in a status table cell, which shows one line, so a reason must not
 * stop at its first line break.
 */
export function oneLineError(error: string): string {
  const issues: string[] = [];
  for (const raw of error.split("\n")) {
    const line = raw.trim();
    const at = /^→\s*at\s+(.*)$/.exec(line);
    if (at && issues.length > 0) issues[issues.length - 1] += ` (at ${at[1]})`;
    else if (line) issues.push(line.replace(/^✖\s*/, ""));
  }
  return issues.join("; ");
}

/**
 * Appended to the prompt of the one contract retry (SPEC §6.5), so the worker
 * sees exactly which fields were wrong rather than being asked the same
 * question twice.
 */
export function contractFeedback(error: string): string {
  return [
    "",
    "---",
    "",
    "Your previous answer was rejected: it does not match the required result schema.",
    "",
    error,
    "",
    "Answer again with exactly one JSON document that matches the schema.",
  ].join("\n");
}
