import { describe, expect, it } from "@jest/globals";
import { PLAN_MARKDOWN_LIMIT, renderPlanComment, renderPlanMarkdown } from "../../src/render/plan-markdown.js";
import {
  fitTitle,
  htmlModelText,
  neutraliseMentions,
  neutraliseTags,
  splitCodeSpans,
} from "../../src/render/model-text.js";
import { PULL_REQUEST_TITLE_LIMIT as MAX_PULL_TITLE_CHARS } from "../../src/util/text.js";
import { stagePrTitle } from "../../src/render/stage-pr-body.js";
import { groupPrTitle } from "../../src/render/group-pr-body.js";
import { makeStage, stage, validPlan } from "../planning/plan-fixture.js";

describe("model text follows GitHub's code-span rule", () => {
  it("treats an unbalanced backtick run as literal text, so the tag after it is neutralised", () => {
    // On today's main the single backtick was taken to open a span that the double one closed.
    const attack = "see ` here </details><img src=x onerror=alert(1)> `` there";
    expect(neutraliseTags(attack)).not.toContain("</details>");
    expect(neutraliseTags("a `b` </details> `c")).toBe("a `b` &lt;/details> `c");
    expect(neutraliseTags("``x ` </details> ``")).toBe("``x ` </details> ``"); // a real span with a shorter run inside
  });

  it("splits at spans whose closing run has exactly the opening run's length", () => {
    expect(splitCodeSpans("a ``b`c`` d `e")).toEqual(["a ", "``b`c``", " d `e"]);
    expect(splitCodeSpans("`` only opens")).toEqual(["`` only opens"]);
  });
});

describe("mentions in model text notify nobody", () => {
  it.each([
    ["ping @everyone now", "ping @\u200Beveryone now"],
    ["cc @acme/security-team", "cc @\u200Bacme/security-team"],
    ["@octocat wrote this", "@\u200Boctocat wrote this"],
  ])("%s", (text, expected) => {
    expect(neutraliseMentions(text)).toBe(expected);
  });

  it("leaves e-mail addresses and code spans alone", () => {
    expect(neutraliseMentions("mail a@example.com, `@decorator` and @x")).toBe(
      "mail a@example.com, `@decorator` and @\u200Bx",
    );
  });

  it("inside HTML (a <summary> line) backticks are literal, so a backticked mention is neutralised too", () => {
    expect(htmlModelText("Stage 1 · `@acme/owners` fix <b>")).toBe("Stage 1 · `@\u200Bacme/owners` fix &lt;b&gt;");
    const plan = validPlan((p) => (stage(p, 1).title = "Escape `@acme/owners`"));
    const summary = renderPlanMarkdown(plan, { nextCommand: "/okstra approve" })
      .split("\n")
      .find((line) => line.includes("<summary>") && line.includes("Escape"));
    expect(summary).toContain("@\u200Bacme/owners");
  });

  it("reaches the plan comment: a stage title mentioning a team is rendered inert", () => {
    const plan = validPlan((p) => (stage(p, 1).title = "Escape fields, cc @acme/owners and @everyone"));
    const out = renderPlanMarkdown(plan, { nextCommand: "/okstra approve" });
    // (The Mermaid label is inside a code block, where GitHub notifies nobody.)
    expect(
      out
        .split("\n")
        .filter((line) => !line.startsWith("  S"))
        .join("\n"),
    ).not.toMatch(/(^|[^\u200B])@(acme|everyone)/);
    expect(out).toContain("@\u200Bacme/owners");
  });
});

describe("every body and title fits GitHub's limits", () => {
  it("a 70,000-character plan makes a comment of at most 65,536 characters, marker first, with a notice", () => {
    const plan = validPlan((p) => {
      p.stages = Array.from({ length: 20 }, (_, i) =>
        makeStage(i + 1, { dependsOn: i === 0 ? [] : [i], sliceValue: "v".repeat(3_500) }),
      );
    });
    expect(renderPlanMarkdown(plan, { nextCommand: "/okstra approve", maxChars: 1_000_000 }).length).toBeGreaterThan(
      70_000,
    );
    const marker = { task: 12, version: 3, digest: "d".repeat(64) };
    const comment = renderPlanComment(plan, { nextCommand: "/okstra approve", marker });
    expect(comment.length).toBeLessThanOrEqual(PLAN_MARKDOWN_LIMIT);
    expect(comment.split("\n")[0]).toBe(`<!-- okstra:plan ${JSON.stringify(marker)} -->`);
    expect(comment).toContain("**Truncated:** stages");
    expect(comment.trimEnd().endsWith("**Next:** `/okstra approve`")).toBe(true);
  });

  it("a model's 400-character stage title keeps the stage number and issue reference within 256 characters", () => {
    const title = stagePrTitle(12, { number: 3, title: "Refactor ".repeat(50) });
    expect(title.length).toBe(MAX_PULL_TITLE_CHARS);
    expect(title.startsWith("Stage 3: Refactor")).toBe(true);
    expect(title.endsWith("… (#12)")).toBe(true);
    expect(groupPrTitle(12, "x".repeat(300), [1, 2]).length).toBe(MAX_PULL_TITLE_CHARS);
    expect(fitTitle("S: ", "short", " (#1)")).toBe("S: short (#1)");
  });
});
