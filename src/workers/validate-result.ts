import { z } from "zod";

/** A worker's document checked against its role's schema; the error text is what the retry shows the worker. */
export type Validation<T> = { ok: true; value: T } | { ok: false; error: string };

export function validateResult<T>(schema: z.ZodType<T>, document: unknown): Validation<T> {
  const parsed = schema.safeParse(document);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, error: z.prettifyError(parsed.error) };
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
