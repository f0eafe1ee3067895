import { z } from "zod";

/**
 * The plan (SPEC §5.2): the JSON every later phase works from; plan.md is
 * rendered from it and never parsed back.
 *
 * zod checks only the shape. The semantic rules (step cap, DAG, parallel
 * safety, coverage…) belong to the validator, which can name the check and
 * give a fix hint — so this schema deliberately accepts 9 steps, a cycle,
 * an empty `validation.post` or an empty `sliceValue`.
 *
 * Objects are not strict: workers are models, and an extra key they invent is
 * dropped rather than failing a whole planning run.
 */

const text = z.string();
const nonEmpty = z.string().trim().min(1);

export const stepSchema = z.object({
  n: z.number().int().min(1),
  /** Starts with `RED:`, `GREEN:` or `REFACTOR:` unless the stage has a `tddExemption` (S10). */
  action: text,
  files: z.array(text),
  command: text.optional(),
  expected: text,
});
export type PlanStep = z.infer<typeof stepSchema>;

export const exitContractSchema = z.object({
  /** Predicted added/modified files; globs allowed (`src/api/**`). */
  files: z.array(text),
  /** Newly exposed identifiers, types, endpoints. */
  identifiers: z.array(text),
  /** Anything else a later stage may rely on (a table, a CLI flag…). */
  resources: z.array(text),
});

export const stageValidationSchema = z.object({
  pre: z.array(text),
  mid: z.array(text),
  post: z.array(text),
});

export const stageSchema = z.object({
  number: z.number().int(),
  title: nonEmpty,
  /** The user-visible value this slice delivers. */
  sliceValue: text,
  acceptance: z.array(text),
  dependsOn: z.array(z.number().int()),
  steps: z.array(stepSchema),
  exitContract: exitContractSchema,
  validation: stageValidationSchema,
  rollback: text,
  /** Why no step of this stage can be test-first; lifts the RED/GREEN/REFACTOR rule. */
  tddExemption: nonEmpty.optional(),
});
export type PlanStage = z.infer<typeof stageSchema>;

export const optionSchema = z.object({
  id: nonEmpty,
  title: nonEmpty,
  description: text,
  tradeoffs: text,
});

export const requirementSchema = z.object({
  id: z.string().regex(/^R-\d+$/, "requirement ids look like R-1"),
  text: nonEmpty,
});

export const coverageRowSchema = z.object({
  requirement: z.string(),
  stages: z.array(z.number().int()),
});

export const CLARIFICATION_BLOCKS = ["approval", "next-phase", "none"] as const;

export const clarificationSchema = z.object({
  id: z.string().regex(/^C-\d+$/, "clarification ids look like C-1"),
  statement: nonEmpty,
  /** What the worker already looked at, so a human does not redo the search. */
  evidenceChecked: nonEmpty,
  expectedForm: nonEmpty,
  recommendedAnswer: nonEmpty,
  blocks: z.enum(CLARIFICATION_BLOCKS),
});
export type Clarification = z.infer<typeof clarificationSchema>;

/** Plan-body verification gate (SPEC §5.1 step 5); `not-run` until it has run or when it is disabled. */
export const GATE_RESULTS = [
  "passed",
  "passed-with-dissent",
  "blocked-by-disagreement",
  "aborted-non-result",
  "not-run",
] as const;
export const gateResultSchema = z.enum(GATE_RESULTS);
export type GateResult = z.infer<typeof gateResultSchema>;

/** A minority objection kept after the gate: `item` is `P-<stage>.<step>` or `P-<stage>.exit`. */
export const dissentSchema = z.object({
  item: nonEmpty,
  worker: nonEmpty,
  stance: z.enum(["DISAGREE", "SUPPLEMENT"]),
  evidence: text,
});
export type Dissent = z.infer<typeof dissentSchema>;

export const provenanceSchema = z
  .object({
    /** Each analyser and what the lead took from its draft. */
    analysers: z.array(z.object({ worker: nonEmpty, proposed: z.array(text).default([]) })).default([]),
    lead: nonEmpty.optional(),
    gate: gateResultSchema.default("not-run"),
    dissent: z.array(dissentSchema).default([]),
  })
  // An analyser's draft has no provenance yet; the engine fills it in.
  .prefault({});
export type Provenance = z.infer<typeof provenanceSchema>;

export const planSchema = z
  .object({
    version: z.number().int().min(1),
    taskKey: z.string().regex(/^issue-\d+$/, "task keys look like issue-12"),
    title: nonEmpty,
    summary: text,
    options: z.array(optionSchema).min(2, "a plan weighs at least two options"),
    recommendedOption: nonEmpty,
    requirements: z.array(requirementSchema),
    stages: z.array(stageSchema),
    requirementCoverage: z.array(coverageRowSchema),
    risks: z.array(text),
    clarifications: z.array(clarificationSchema),
    provenance: provenanceSchema,
  })
  .superRefine((plan, ctx) => {
    // A dangling reference inside the plan's own header is a shape error, not a stage rule.
    if (!plan.options.some((o) => o.id === plan.recommendedOption)) {
      ctx.addIssue({
        code: "custom",
        path: ["recommendedOption"],
        message: `names no option (options are ${plan.options.map((o) => o.id).join(", ")})`,
      });
    }
  });
export type Plan = z.infer<typeof planSchema>;

/** What an analyser returns: its independent draft. */
export const analyserResultSchema = z.object({ plan: planSchema });
export type AnalyserResult = z.infer<typeof analyserResultSchema>;

/** What the lead returns, after synthesis and after each fix round. */
export const leadResultSchema = z.object({ plan: planSchema });
export type LeadResult = z.infer<typeof leadResultSchema>;

/** One analyser's answer on one plan item during plan-body verification. */
export const planReviewSchema = z.object({
  item: z.string().regex(/^P-\d+\.(\d+|exit)$/, "items look like P-2.3 or P-2.exit"),
  verdict: z.enum(["AGREE", "DISAGREE", "SUPPLEMENT"]),
  /** What the reviewer found in the repository; the point of a DISAGREE or SUPPLEMENT. */
  evidence: text.default(""),
});
export type PlanReview = z.infer<typeof planReviewSchema>;

/** What a plan reviewer returns (prompts/planning-plan-reviewer.md). */
export const planReviewResultSchema = z.object({ reviews: z.array(planReviewSchema) });
export type PlanReviewResult = z.infer<typeof planReviewResultSchema>;
