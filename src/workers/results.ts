import { z } from "zod";
import type { JsonSchema } from "./types.js";

/**
 * The result each role returns (SPEC §12), as zod schemas — the judge of every
 * worker's answer — and as JSON Schema for the request's `resultSchema`.
 * The analyser's and lead's `{ plan }` lives with the plan schema
 * (engine/planning); runWorker takes whichever schema it is given.
 *
 * No field is nullable: the OpenAI-dialect schemas turn optional fields into
 * nullable ones and rely on a null meaning "absent" (api-schema.ts).
 */

const verdict = z.enum(["AGREE", "DISAGREE", "SUPPLEMENT"]);

// The plan-reviewer result lives with the plan schema (src/plan/plan-schema.ts: planReviewResultSchema).

/** The executor's real output is its commits; this is only its account of them. */
export const executorResultSchema = z.object({
  summary: z.string().min(1),
  notes: z.string().optional(),
});
export type ExecutorResult = z.infer<typeof executorResultSchema>;

/** `line` is optional: a finding about a whole file (a missing test, a file that should not exist) has none. */
export const evidenceSchema = z.object({
  path: z.string().min(1),
  line: z.number().int().positive().optional(),
  quote: z.string(),
});

export const findingSchema = z.object({
  id: z.string().min(1),
  stage: z.number().int().positive(),
  claim: z.string().min(1),
  evidence: z.array(evidenceSchema),
  severity: z.enum(["blocker", "major", "minor", "nit"]),
  category: z.string().min(1),
});
export type Finding = z.infer<typeof findingSchema>;

export const verifierResultSchema = z.object({ findings: z.array(findingSchema) });
export type VerifierResult = z.infer<typeof verifierResultSchema>;

/**
 * A DISAGREE without evidence is a valid answer that does not count against
 * the finding (SPEC §9.2–9.3: only an evidence-backed DISAGREE contests), so
 * it is accepted here and weighed by the convergence, not refused as a
 * contract violation that would throw away the reviewer's other answers.
 */
export const reviewAnswerSchema = z.object({
  findingId: z.string().min(1),
  verdict,
  /** Optional, as the reviewer prompt says: an AGREE needs none. */
  evidence: z.string().default(""),
  note: z.string().optional(),
});
export const reviewerResultSchema = z.object({ answers: z.array(reviewAnswerSchema) });
export type ReviewerResult = z.infer<typeof reviewerResultSchema>;

export const pilotResultSchema = z.object({
  analysis: z.string().min(1),
  retry: z.array(z.object({ stage: z.number().int().positive(), guidance: z.string().min(1) })),
  skip: z.array(z.object({ stage: z.number().int().positive(), reason: z.string().min(1) })),
  replan: z.boolean(),
});
export type PilotResult = z.infer<typeof pilotResultSchema>;

/**
 * The JSON Schema sent as a request's `resultSchema`: the *input* side of the
 * zod schema, i.e. what a worker must write. A field zod defaults (a plan's
 * `provenance`, a review's `evidence`) is optional there, not required.
 */
export function resultJsonSchema(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, { io: "input" }) as JsonSchema;
}
