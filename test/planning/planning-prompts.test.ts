import { describe, expect, it } from "@jest/globals";
import {
  clarificationSchema,
  planReviewResultSchema,
  planSchema,
  stageSchema,
  stepSchema,
} from "../../src/plan/plan-schema.js";
import { loadTemplate } from "../../src/workers/render-prompt.js";

/** The template as a worker gets it: the shared planning context first, the role's own text after it. */
function prompt(name: string): string {
  return loadTemplate(name);
}

function placeholders(text: string): string[] {
  return [...new Set([...text.matchAll(/\{\{([\w.]+)\}\}/g)].map((m) => m[1]))].sort();
}

/** The JSON example a prompt shows its worker. */
function example(text: string): string {
  const match = /```json\n([\s\S]*?)\n```/.exec(text);
  if (!match) throw new Error("no JSON example");
  return match[1];
}

// Keys that must appear in the plan example, so a schema change shows up here before a worker gets it wrong.
const PLAN_KEYS = [
  ...Object.keys(planSchema.shape).filter((k) => k !== "provenance"),
  ...Object.keys(stageSchema.shape).filter((k) => k !== "tddExemption"),
  ...Object.keys(stepSchema.shape),
  ...Object.keys(clarificationSchema.shape),
];

describe("planning prompts", () => {
  it.each(["planning-analyser", "planning-lead", "planning-plan-reviewer"])(
    "%s opens with the same shared context, its role after it",
    (name) => {
      const text = prompt(name);
      expect(text.startsWith(loadTemplate("planning-context"))).toBe(true);
      expect(text.indexOf("# Role:")).toBeGreaterThan(text.indexOf("{{context}}"));
    },
  );

  it.each(["planning-analyser", "planning-lead"])(
    "%s shows every plan field and carries the planning principles",
    (name) => {
      const text = prompt(name);
      const shown = example(text);
      for (const key of PLAN_KEYS) expect(shown).toContain(`"${key}"`);
      expect(text).toContain("tddExemption");
      expect(text).toMatch(/Parallelism\s+is\s+never\s+a\s+reason\s+to\s+split/);
      expect(text).toMatch(/shared\s+file\s+and\s+module\s+proximity/);
      for (const prefix of ["`RED:`", "`GREEN:`", "`REFACTOR:`"]) expect(text).toContain(prefix);
      expect(text).toMatch(/never\s+mutate/i);
      expect(text).toMatch(/least\s+two\s+options/i);
      expect(text).toMatch(/recommended\s+answer/i);
    },
  );

  it("gives the analyser only the issue and the repository, never other drafts", () => {
    expect(placeholders(prompt("planning-analyser"))).toEqual([
      "context",
      "guidance",
      "issue.body",
      "issue.comments",
      "issue.title",
      "stageStepCap",
      "taskKey",
    ]);
  });

  it("gives the lead the drafts and, in a fix round, the violations and its previous plan", () => {
    expect(placeholders(prompt("planning-lead"))).toEqual([
      "context",
      "drafts",
      "guidance",
      "issue.body",
      "issue.comments",
      "issue.title",
      "plan",
      "stageStepCap",
      "taskKey",
      "violations",
    ]);
  });

  it("asks the reviewer for answers in the shape planReviewResultSchema accepts", () => {
    const text = prompt("planning-plan-reviewer");
    expect(placeholders(text)).toEqual([
      "context",
      "guidance",
      "issue.body",
      "issue.comments",
      "issue.title",
      "items",
      "plan",
      "stageStepCap",
      "taskKey",
    ]);
    const parsed = planReviewResultSchema.safeParse(JSON.parse(example(text)));
    expect(parsed.success).toBe(true);
  });
});
