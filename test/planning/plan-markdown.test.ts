import { describe, expect, it } from "@jest/globals";
import { mermaidLabel, PLAN_MARKDOWN_LIMIT, renderPlanMarkdown } from "../../src/render/plan-markdown.js";
import { makeStage, stage, validPlan } from "./plan-fixture.js";

function mermaidBlock(markdown: string): string {
  const match = /```mermaid\n([\s\S]*?)\n```/.exec(markdown);
  if (!match) throw new Error("no mermaid block");
  return match[1];
}

describe("renderPlanMarkdown", () => {
  const markdown = renderPlanMarkdown(validPlan(), { nextCommand: "/okstra approve" });

  it("draws the stage DAG as Mermaid with one labelled node per stage and an edge per dependency", () => {
    const lines = mermaidBlock(markdown).split("\n");
    expect(lines[0]).toBe("graph TD");
    expect(lines).toContain('  S1["Stage 1 · Escape CSV fields per RFC 4180 · 3 steps"]');
    expect(lines).toContain('  S3["Stage 3 · Public toCsv(rows, options) API · 4 steps"]');
    expect(lines.filter((l) => l.includes("-->")).sort()).toEqual(["  S1 --> S3", "  S2 --> S3", "  S3 --> S4"]);
  });

  it("gives each stage one collapsible block with its steps as plan items", () => {
    expect(markdown.match(/<details>\n<summary><b>Stage \d/g)).toHaveLength(4);
    expect(markdown).toContain(
      "<summary><b>Stage 3 · Public toCsv(rows, options) API</b> — 4 steps · depends on: 1, 2</summary>",
    );
    expect(markdown).toContain(
      "| P-3.4 | GREEN: export toCsv from src/index.js and declare it in index.d.ts | `src/index.js`, `index.d.ts` | `node --test` |",
    );
    expect(markdown).toContain("- post: `node --test test/csv/escape-field.test.js`, `node --test`");
  });

  it("shows options, the recommendation, coverage, the gate with its dissent log and the clarifications", () => {
    expect(markdown).toContain("| ⭐ | **A** Hand-written RFC 4180 serializer |");
    expect(markdown).toContain("**Recommended:** option **A** — Hand-written RFC 4180 serializer");
    expect(markdown).toContain(
      "| R-2 | CSV columns follow the same `columns` option (selection and order) as the text table. | 2, 3 |",
    );
    expect(markdown).toContain("**Gate:** ✅ passed with dissent");
    expect(markdown).toContain("| P-3.4 | openai/gpt-5 | SUPPLEMENT |");
    expect(markdown).toContain("| ID | Statement | Evidence checked | Expected form | Recommended answer | Blocks |");
    expect(markdown).toMatch(
      /\| C-1 \| Should toCsv emit a UTF-8 byte-order mark by default\? \| Issue #12 says .* \| next phase \|/,
    );
  });

  it("ends with the exact next command", () => {
    expect(markdown.trimEnd().endsWith("**Next:** `/okstra approve`")).toBe(true);
  });

  it("uses the gate it is given over the plan's provenance", () => {
    const blocked = renderPlanMarkdown(validPlan(), {
      gate: { result: "blocked-by-disagreement", dissent: [] },
      nextCommand: "/okstra plan",
    });
    expect(blocked).toContain("**Gate:** ⛔ blocked by disagreement");
    expect(blocked).toContain("Dissent log: none.");
    expect(blocked.trimEnd().endsWith("**Next:** `/okstra plan`")).toBe(true);
  });

  it("escapes model text that would break Mermaid, tables or the details blocks", () => {
    const plan = validPlan((p) => {
      stage(p, 1).title = 'Parse "quoted" [fields] #1 | {x} <b>';
      stage(p, 1).steps[0].action = "RED: test a|b </details> `x|y`";
    });
    const out = renderPlanMarkdown(plan, { nextCommand: "/okstra approve" });
    expect(mermaidBlock(out)).toContain(
      'S1["Stage 1 · Parse #quot;quoted#quot; #91;fields#93; #35;1 #124; #123;x#125; #lt;b#gt; · 3 steps"]',
    );
    expect(out).toContain('<summary><b>Stage 1 · Parse "quoted" [fields] #1 | {x} &lt;b&gt;</b>');
    expect(out).toContain("| P-1.1 | RED: test a\\|b &lt;/details> `x\\|y` |");
    expect(out.match(/<\/details>/g)).toHaveLength(out.match(/<details>/g)!.length);
  });

  it("keeps a 40-stage plan under the comment limit, naming the stages it leaves out", () => {
    const plan = validPlan((p) => {
      p.stages = Array.from({ length: 40 }, (_, i) =>
        makeStage(i + 1, {
          dependsOn: i === 0 ? [] : [i],
          sliceValue: "a long slice value ".repeat(120),
          acceptance: ["criterion ".repeat(60)],
        }),
      );
    });
    const out = renderPlanMarkdown(plan, { nextCommand: "/okstra approve" });
    expect(out.length).toBeLessThanOrEqual(PLAN_MARKDOWN_LIMIT);
    expect(
      mermaidBlock(out)
        .split("\n")
        .filter((l) => l.includes("-->")),
    ).toHaveLength(39);
    const shown = out.match(/<summary><b>Stage \d+/g)!.length;
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThan(40);
    expect(out).toContain(
      `**Truncated:** stages ${shown + 1}–40 are not shown — this text is limited to 65,536 characters.`,
    );
    expect(out).toContain("`tasks/12/plan.json` on branch `okstra/ledger`");
    expect(out).toContain("### Clarifications");
    expect(out.trimEnd().endsWith("**Next:** `/okstra approve`")).toBe(true);
  });

  it("renders a 40-stage plan whole when it fits", () => {
    const plan = validPlan((p) => {
      p.stages = Array.from({ length: 40 }, (_, i) => makeStage(i + 1));
    });
    const out = renderPlanMarkdown(plan, { nextCommand: "/okstra approve" });
    expect(out.length).toBeLessThanOrEqual(PLAN_MARKDOWN_LIMIT);
    expect(out.match(/<summary><b>Stage \d+/g)).toHaveLength(40);
    expect(out).not.toContain("Truncated");
  });

  it("cuts even an oversized summary down to the limit and keeps the next command", () => {
    const plan = validPlan((p) => {
      p.summary = "```\n" + "x".repeat(100_000);
    });
    const out = renderPlanMarkdown(plan, { nextCommand: "/okstra approve" });
    expect(out.length).toBeLessThanOrEqual(PLAN_MARKDOWN_LIMIT);
    expect(out).toContain("**Truncated:** the rest of the plan is not shown");
    expect((out.match(/```/g) ?? []).length % 2).toBe(0);
    expect(out.trimEnd().endsWith("**Next:** `/okstra approve`")).toBe(true);
  });
});

describe("mermaidLabel", () => {
  it("collapses line breaks and leaves plain text alone", () => {
    expect(mermaidLabel("Add\nCSV  export")).toBe("Add CSV export");
  });
});
