import { afterEach, describe, expect, it } from "@jest/globals";
import { writeFileSync } from "node:fs";
import path from "node:path";
import type { z } from "zod";
import { planReviewResultSchema } from "../../src/plan/plan-schema.js";
import { reviewerResultSchema, verifierResultSchema } from "../../src/workers/results.js";
import { runWorker } from "../../src/workers/run-worker.js";
import type { Role } from "../../src/workers/types.js";
import { FIXTURES, removeWorkspaces, workerRequest, workspace } from "./helpers.js";

/**
 * Near-miss answers, each case → the outcome okstra chooses, and what it
 * records. A real `command` worker prints the answer (so the last case, JSON
 * wrapped in prose or a fence, goes through the same reading as every other);
 * runWorker normalises, validates and returns the notes that invoke-worker
 * writes into the worker's ledger record. Nothing is corrected silently.
 */

afterEach(removeWorkspaces);

const FINDING = {
  id: "F-1",
  stage: 1,
  claim: "csvRow drops the last field.",
  evidence: [{ path: "src/csv.js", line: 3, quote: "fields.slice(0, -1)" }],
  severity: "major",
  category: "correctness",
};
const SENT_FINDINGS = { findings: [{ id: "V1-F-1" }, { id: "V1-F-2" }] };
const PLAN_ITEMS = { items: ["P-1.1", "P-1.2", "P-1.exit"] };

interface Case {
  name: string;
  role: Role;
  schema: z.ZodType;
  input?: unknown;
  /** What the worker prints, verbatim. */
  output: string;
  status: "ok" | "contract-violated";
  result?: unknown;
  notes?: RegExp[];
  reason?: RegExp;
}

const json = (value: unknown) => JSON.stringify(value, null, 2);

const CASES: Case[] = [
  {
    name: "severity in the wrong case",
    role: "verifier",
    schema: verifierResultSchema,
    output: json({ findings: [{ ...FINDING, severity: "Major" }] }),
    status: "ok",
    result: { findings: [FINDING] },
    notes: [/F-1: severity "Major" read as "major"/],
  },
  {
    name: "a file-level finding without a line",
    role: "verifier",
    schema: verifierResultSchema,
    output: json({ findings: [{ ...FINDING, evidence: [{ path: "test/csv.test.js", quote: "" }] }] }),
    status: "ok",
    result: { findings: [{ ...FINDING, evidence: [{ path: "test/csv.test.js", quote: "" }] }] },
  },
  {
    name: "a line that is no line number (0)",
    role: "verifier",
    schema: verifierResultSchema,
    output: json({ findings: [{ ...FINDING, evidence: [{ path: "src/csv.js", line: 0, quote: "" }] }] }),
    status: "ok",
    result: { findings: [{ ...FINDING, evidence: [{ path: "src/csv.js", quote: "" }] }] },
    notes: [/evidence line 0 in src\/csv\.js is not a line number; kept as file-level evidence/],
  },
  {
    name: "a finding without evidence",
    role: "verifier",
    schema: verifierResultSchema,
    output: json({ findings: [{ ...FINDING, evidence: undefined }] }),
    status: "ok",
    result: { findings: [{ ...FINDING, evidence: [] }] },
    notes: [/F-1: no evidence given; recorded with none/],
  },
  {
    name: "a lower-case verdict and no evidence (optional, as the prompt says)",
    role: "reviewer",
    schema: reviewerResultSchema,
    input: SENT_FINDINGS,
    output: json({ answers: [{ findingId: "V1-F-1", verdict: "agree" }] }),
    status: "ok",
    result: { answers: [{ findingId: "V1-F-1", verdict: "AGREE", evidence: "" }] },
    notes: [/V1-F-1: verdict "agree" read as AGREE/],
  },
  {
    name: "a reviewer answering F-1 for the finding it was sent as V1-F-1",
    role: "reviewer",
    schema: reviewerResultSchema,
    input: SENT_FINDINGS,
    output: json({ answers: [{ findingId: "F-1", verdict: "DISAGREE", evidence: "test/csv.test.js:9 covers it" }] }),
    status: "ok",
    result: { answers: [{ findingId: "V1-F-1", verdict: "DISAGREE", evidence: "test/csv.test.js:9 covers it" }] },
    notes: [/answer about "F-1" read as V1-F-1/],
  },
  {
    name: "an id that could be either of two findings is not guessed",
    role: "reviewer",
    schema: reviewerResultSchema,
    input: { findings: [{ id: "V1-F-1" }, { id: "V2-F-1" }] },
    output: json({ answers: [{ findingId: "F-1", verdict: "AGREE", evidence: "" }] }),
    status: "ok",
    result: { answers: [] },
    notes: [/answer about unknown finding "F-1" dropped \(sent: V1-F-1, V2-F-1\)/],
  },
  {
    name: "one answer about a finding that was never sent, among good ones",
    role: "reviewer",
    schema: reviewerResultSchema,
    input: SENT_FINDINGS,
    output: json({
      answers: [
        { findingId: "V1-F-2", verdict: "AGREE", evidence: "" },
        { findingId: "V9-F-9", verdict: "AGREE", evidence: "" },
      ],
    }),
    status: "ok",
    result: { answers: [{ findingId: "V1-F-2", verdict: "AGREE", evidence: "" }] },
    notes: [/answer about unknown finding "V9-F-9" dropped/],
  },
  {
    name: "a plan review with one unknown item: the rest of the answer is kept",
    role: "plan-reviewer",
    schema: planReviewResultSchema,
    input: PLAN_ITEMS,
    output: json({
      reviews: [
        { item: "P-1.1", verdict: "AGREE", evidence: "" },
        { item: "P-7.2", verdict: "DISAGREE", evidence: "no such step" },
      ],
    }),
    status: "ok",
    result: { reviews: [{ item: "P-1.1", verdict: "AGREE", evidence: "" }] },
    notes: [/answer about unknown plan item "P-7\.2" dropped \(sent: P-1\.1, P-1\.2, P-1\.exit\)/],
  },
  {
    name: "a plan review naming an item in a shape that is no item at all",
    role: "plan-reviewer",
    schema: planReviewResultSchema,
    input: PLAN_ITEMS,
    output: json({
      reviews: [
        { item: "p-1.EXIT", verdict: "supplement", evidence: "also check the README" },
        { item: "step 2", verdict: "AGREE" },
      ],
    }),
    status: "ok",
    result: { reviews: [{ item: "P-1.exit", verdict: "SUPPLEMENT", evidence: "also check the README" }] },
    notes: [
      /verdict "supplement" read as SUPPLEMENT/,
      /answer about "p-1\.EXIT" read as P-1\.exit/,
      /answer about unknown plan item "step 2" dropped/,
    ],
  },
  {
    name: "JSON wrapped in prose by a command worker",
    role: "verifier",
    schema: verifierResultSchema,
    output: `I reviewed the stage. Here is my answer:\n${JSON.stringify({ findings: [FINDING] })}\nLet me know if you need more.\n`,
    status: "ok",
    result: { findings: [FINDING] },
  },
  {
    name: "JSON in a Markdown fence after an example object",
    role: "verifier",
    schema: verifierResultSchema,
    output: `The format is {"findings": [...]}.\n\n\`\`\`json\n${json({ findings: [] })}\n\`\`\`\n`,
    status: "ok",
    result: { findings: [] },
  },
  {
    name: "a severity that is no severity in any case: refused, the whole reason on one line",
    role: "verifier",
    schema: verifierResultSchema,
    output: json({ findings: [{ ...FINDING, severity: "catastrophic", claim: "" }] }),
    status: "contract-violated",
    reason:
      /^the result failed its schema twice: Too small: expected string to have >=1 characters \(at findings\[0\]\.claim\); Invalid option: expected one of "blocker"\|"major"\|"minor"\|"nit" \(at findings\[0\]\.severity\)$/,
  },
];

describe("near-miss answers", () => {
  it.each(CASES)("$name → $status", async (c) => {
    const cwd = workspace();
    const file = path.join(cwd, "answer.txt");
    writeFileSync(file, c.output);
    const outcome = await runWorker({
      request: workerRequest(c.schema, {
        role: c.role,
        phase: c.role === "plan-reviewer" ? "planning" : "verification",
        prompt: "Answer.",
        input: c.input ?? {},
      }),
      spec: {
        provider: "command",
        command: `"${process.execPath}" "${path.join(FIXTURES, "command", "print-file.mjs")}" "${file}"`,
      },
      schema: c.schema,
      cwd,
      deadlineMs: 20_000,
    });
    expect(outcome.status).toBe(c.status);
    if (c.result !== undefined) expect(outcome.result).toEqual(c.result);
    if (c.reason) expect(outcome.reason).toMatch(c.reason);
    // Every correction and every dropped entry is recorded; an answer needing none records none.
    expect(outcome.notes ?? []).toHaveLength(c.notes?.length ?? 0);
    for (const note of c.notes ?? [])
      expect(outcome.notes).toEqual(expect.arrayContaining([expect.stringMatching(note)]));
  });
});
