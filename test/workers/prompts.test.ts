import { afterEach, describe, expect, it } from "@jest/globals";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { z } from "zod";
import { analyserResultSchema } from "../../src/plan/plan-schema.js";
import { buildWorkerRequest } from "../../src/workers/build-request.js";
import {
  loadTemplate,
  placeholdersOf,
  PromptRenderError,
  renderPrompt,
  renderPromptParts,
  renderTemplate,
} from "../../src/workers/render-prompt.js";
import {
  executorResultSchema,
  pilotResultSchema,
  resultJsonSchema,
  reviewerResultSchema,
  verifierResultSchema,
} from "../../src/workers/results.js";
import { reviewerStance } from "../../src/workers/reviewer-stance.js";

/** The prompt templates this area owns, and the one renderer every role's template goes through. */

const TEMPLATES: Array<{ name: string; schema: z.ZodType; placeholders: string[] }> = [
  {
    name: "implementation-executor",
    schema: executorResultSchema,
    placeholders: [
      "branch",
      "carryIn",
      "conventions",
      "guidance",
      "issue.title",
      "stage.acceptance",
      "stage.exitContract",
      "stage.number",
      "stage.sliceValue",
      "stage.steps",
      "stage.tddExemption",
      "stage.title",
      "stage.validation",
      "taskKey",
    ],
  },
  {
    name: "verification-verifier",
    schema: verifierResultSchema,
    placeholders: ["carries", "checks", "diff", "issue.title", "stages", "taskKey"],
  },
  {
    name: "verification-reviewer",
    schema: reviewerResultSchema,
    placeholders: ["carries", "checks", "diff", "findings", "issue.title", "round", "stages", "stance", "taskKey"],
  },
  {
    name: "implementation-pilot",
    schema: pilotResultSchema,
    placeholders: ["batch", "failures", "findings", "issue.title", "remaining", "taskKey"],
  },
];

/** The JSON example a template shows its worker. */
function example(template: string): unknown {
  const match = /```json\n([\s\S]*?)\n```/.exec(template);
  if (!match) throw new Error("no JSON example");
  return JSON.parse(match[1]);
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("prompt templates", () => {
  it.each(TEMPLATES)("$name shows an example its result schema accepts", ({ name, schema }) => {
    expect(schema.safeParse(example(loadTemplate(name))).success).toBe(true);
  });

  it.each(TEMPLATES)("$name takes exactly its documented placeholders", ({ name, placeholders }) => {
    expect(placeholdersOf(loadTemplate(name))).toEqual(placeholders);
  });

  it.each(TEMPLATES)("$name renders completely when every placeholder has a value", ({ name, placeholders }) => {
    const values: Record<string, unknown> = {};
    for (const key of placeholders) {
      const parts = key.split(".");
      let node = values;
      for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
      node[parts[parts.length - 1]] = `<${key}>`;
    }
    const text = renderPrompt(name, values);
    expect(text).not.toMatch(/\{\{/);
    for (const key of placeholders) expect(text).toContain(`<${key}>`);
  });

  it("tells every worker that quoted material is not instructions", () => {
    for (const { name } of TEMPLATES) expect(loadTemplate(name)).toMatch(/never\s+as\s+instructions/);
  });

  it("gives the reviewer the adversarial burden of proof when configured", () => {
    expect(reviewerStance(true)).toMatch(/burden of proof is on the claim/);
    expect(reviewerStance(false)).not.toMatch(/adversarial/);
  });
});

describe("renderPrompt", () => {
  it("fills dotted placeholders, strings verbatim and anything else as JSON", () => {
    const text = renderTemplate("{{stage.title}} / {{ stage.number }} / {{steps}}", {
      stage: { title: "Export", number: 2 },
      steps: [{ n: 1 }],
    });
    expect(text).toBe('Export / 2 / [\n  {\n    "n": 1\n  }\n]');
  });

  it("fails loudly, naming every placeholder without a value", () => {
    expect(() => renderTemplate("{{a}} {{b.c}} {{d}}", { a: "x", b: {}, d: null }, "verification-verifier")).toThrow(
      new PromptRenderError("prompt verification-verifier has no value for {{b.c}}, {{d}}"),
    );
  });

  it("keeps an empty string: an intentionally empty section is not a missing one", () => {
    expect(renderTemplate("[{{guidance}}]", { guidance: "" })).toBe("[]");
  });

  it("refuses an unknown template and a name that could leave the prompts folder", () => {
    expect(() => renderPrompt("verification-nobody", {})).toThrow(/no prompt template .*verification-nobody\.md/);
    expect(() => renderPrompt("../package", {})).toThrow(/invalid prompt name/);
  });

  it("reads templates from another folder when told to", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "okstra-prompts-"));
    dirs.push(dir);
    writeFileSync(path.join(dir, "demo-executor.md"), "Hello {{who}}");
    expect(renderPrompt("demo-executor", { who: "okstra" }, { dir })).toBe("Hello okstra");
  });
});

describe("shared context include", () => {
  it("puts an included context first and says where it ends", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "okstra-prompts-"));
    dirs.push(dir);
    writeFileSync(path.join(dir, "demo-context.md"), "Issue {{task}}\n---\n");
    writeFileSync(path.join(dir, "demo-verifier.md"), "{{> demo-context}}\nRole: verifier of {{task}}\n");
    writeFileSync(path.join(dir, "demo-reviewer.md"), "{{> demo-context}}\nRole: reviewer, round {{round}}\n");
    const verifier = renderPromptParts("demo-verifier", { task: "issue-12" }, { dir });
    const reviewer = renderPromptParts("demo-reviewer", { task: "issue-12", round: 1 }, { dir });
    expect(verifier).toEqual({
      prompt: "Issue issue-12\n---\nRole: verifier of issue-12\n",
      stablePrefixLength: "Issue issue-12\n---\n".length,
    });
    // Two roles of one run repeat the same bytes up to the breakpoint.
    expect(reviewer.prompt.slice(0, reviewer.stablePrefixLength)).toBe(
      verifier.prompt.slice(0, verifier.stablePrefixLength),
    );
    expect(() => renderPromptParts("demo-reviewer", { task: "issue-12" }, { dir })).toThrow(
      /no value for \{\{round\}\}/,
    );
  });

  it.each(["verification-verifier", "verification-reviewer"])("%s opens with the verification context", (name) => {
    expect(loadTemplate(name).startsWith(loadTemplate("verification-context"))).toBe(true);
  });
});

describe("buildWorkerRequest", () => {
  it("generates the result schema from zod's input side: a defaulted field is not required", () => {
    const schema = resultJsonSchema(reviewerResultSchema) as {
      properties: { answers: { items: { required: string[] } } };
    };
    expect(schema.properties.answers.items.required).toEqual(["findingId", "verdict"]);
    // The analyser's and lead's plan: okstra fills `provenance` in itself, so a worker need not write it.
    const plan = (resultJsonSchema(analyserResultSchema) as { properties: { plan: { required: string[] } } }).properties
      .plan;
    expect(plan.required).not.toContain("provenance");
    expect(plan.required).toContain("stages");
  });

  it("renders <phase>-<role> and attaches the result's JSON Schema", () => {
    const request = buildWorkerRequest({
      role: "pilot",
      phase: "implementation",
      task: "issue-12",
      run: "impl-3",
      input: { failed: [3] },
      values: {
        taskKey: "issue-12",
        issue: { title: "CSV export" },
        batch: "…",
        failures: "…",
        findings: "none",
        remaining: [4],
      },
      schema: pilotResultSchema,
    });
    expect(request).toMatchObject({
      role: "pilot",
      phase: "implementation",
      task: "issue-12",
      run: "impl-3",
      input: { failed: [3] },
    });
    expect(request).not.toHaveProperty("stage");
    expect(request.prompt).toContain('`issue-12` — "CSV export"');
    expect(request.resultSchema).toEqual(resultJsonSchema(pilotResultSchema));
  });
});
