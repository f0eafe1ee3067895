import { describe, expect, it } from "@jest/globals";
import { renderStackBlock, replaceStackBlock, type StackState } from "../../src/render/stack-block.js";
import { SPEC_ENTRIES } from "./fixtures.js";

const META = { task: 12, stage: 2, head: "a".repeat(40) };

function blockWith(states: StackState[]): string {
  const entries = SPEC_ENTRIES.map((e, i) => ({ ...e, state: states[i] }));
  return renderStackBlock(entries, 2, META);
}

describe("renderStackBlock", () => {
  it("renders the DAG: the stage's dependencies and dependents, linked where they have a PR", () => {
    expect(renderStackBlock(SPEC_ENTRIES, 2, { task: 12, stage: 2, head: "<sha>" })).toBe(
      [
        "<!-- okstra:stack:start (generated; edits inside are overwritten) -->",
        "**Stage 2 of 4** · depends on: stage 1 (#101) · needed by: stage 4",
        "| | stage | depends on | PR | state |",
        "|---|---|---|---|---|",
        "| | 1 · Parse CSV | — | #101 | ✅ verified |",
        "| ➡️ | **2 · Export endpoint** | 1 | **this PR** | ⏳ verifying |",
        "| | 3 · UI button | 1 | #103 | 📝 draft |",
        "| | 4 · Docs | 2, 3 | — | not started |",
        "<!-- okstra:stack:end -->",
        '<!-- okstra:meta {"v":1,"task":12,"stage":2,"head":"<sha>"} -->',
      ].join("\n"),
    );
  });

  it("never links independent stages as previous/next: stage 3 names only stage 1 and stage 4", () => {
    const nav = (stage: number) => renderStackBlock(SPEC_ENTRIES, stage, { task: 12, stage }).split("\n")[1];
    expect(nav(1)).toBe("**Stage 1 of 4** · depends on: nothing · needed by: stage 2 (#102), stage 3 (#103)");
    expect(nav(3)).toBe("**Stage 3 of 4** · depends on: stage 1 (#101) · needed by: stage 4");
    expect(nav(4)).toBe("**Stage 4 of 4** · depends on: stage 2 (#102), stage 3 (#103) · needed by: nothing");
    expect(nav(3)).not.toContain("#102");
  });

  it("opens a PR with its final block: its own row does not depend on its own number", () => {
    const withoutNumber = SPEC_ENTRIES.map((e) => (e.stage === 4 ? e : e));
    const withNumber = SPEC_ENTRIES.map((e) => (e.stage === 4 ? { ...e, pr: 104 } : e));
    expect(renderStackBlock(withNumber, 4, { task: 12, stage: 4 })).toBe(
      renderStackBlock(withoutNumber, 4, { task: 12, stage: 4 }),
    );
  });

  it("names the group PR a stage shipped in and keeps model text from breaking the table or the markers", () => {
    const block = renderStackBlock(
      [
        { stage: 1, title: "a | b <!-- okstra:stack:end -->\nc", pr: 4, state: "shipped", shippedIn: 40 },
        { stage: 2, title: "D", pr: 5, state: "conditional" },
      ],
      2,
      { task: 1, stage: 2 },
    );
    expect(block).toContain("| | 1 · a \\| b &lt;!-- okstra:stack:end --> c | — | #4 | 🚢 shipped in #40 |");
    expect(block.match(/<!-- okstra:stack:end/g)).toHaveLength(1);
    expect(replaceStackBlock(`x\n${block}`, block).kind).toBe("unchanged");
    expect(block).toContain("| ➡️ | **2 · D** | — | **this PR** | ⚠️ conditionally accepted |");
  });
});

describe("replaceStackBlock", () => {
  const above = "## Notes from the reviewer\n\nPlease check   the *edge* cases.  \n\n";
  const below = "\n\n---\nTrailing text with `code` and <b>html</b>\n\n\n";

  it("keeps user text above and below byte-for-byte across three updates", () => {
    let body = `${above}${blockWith(["verified", "draft", "draft", "not-started"])}${below}`;
    const updates: StackState[][] = [
      ["verified", "verifying", "draft", "not-started"],
      ["verified", "verified", "verifying", "not-started"],
      ["merged", "blocked", "verified", "failed"],
    ];
    for (const states of updates) {
      const block = blockWith(states);
      const result = replaceStackBlock(body, block);
      expect(result.kind).toBe("replaced");
      if (result.kind === "refused") return;
      expect(result.body).toBe(`${above}${block}${below}`);
      body = result.body;
    }
    expect(body).toContain("| | 1 · Parse CSV | — | #101 | 🟣 merged |");
  });

  it("normalises CRLF, replaces the block and leaves the text otherwise identical", () => {
    const crlf = (text: string) => text.replace(/\n/g, "\r\n");
    const body = crlf(`${above}${blockWith(["draft", "draft", "draft", "draft"])}${below}`);
    const block = blockWith(["verified", "verified", "draft", "draft"]);
    const result = replaceStackBlock(body, block);
    expect(result).toEqual({ kind: "replaced", body: `${above}${block}${below}` });
  });

  it("is unchanged when only the line endings differ, so GitHub's CRLF bodies cost no write", () => {
    const block = blockWith(["draft", "draft", "draft", "draft"]);
    const body = `${above}${block}${below}`.replace(/\n/g, "\r\n");
    expect(replaceStackBlock(body, block)).toEqual({ kind: "unchanged", body: `${above}${block}${below}` });
  });

  it("appends the block after a blank line when the body has none", () => {
    const block = blockWith(["draft", "draft", "draft", "draft"]);
    expect(replaceStackBlock("User text", block)).toEqual({ kind: "appended", body: `User text\n\n${block}` });
    expect(replaceStackBlock("User text\n", block)).toEqual({ kind: "appended", body: `User text\n\n${block}` });
    expect(replaceStackBlock("", block)).toEqual({ kind: "appended", body: block });
  });

  it("replaces a block whose meta line went missing without leaving a stray meta behind", () => {
    const old = blockWith(["draft", "draft", "draft", "draft"]).replace(/\n<!-- okstra:meta .*$/, "");
    const block = blockWith(["verified", "draft", "draft", "draft"]);
    expect(replaceStackBlock(`x\n${old}\ny`, block)).toEqual({ kind: "replaced", body: `x\n${block}\ny` });
  });

  it.each([
    ["a duplicated start marker", (b: string) => `${b.split("\n")[0]}\n${b}`, /duplicated stack block/],
    ["a duplicated block", (b: string) => `${b}\n\n${b}`, /duplicated stack block/],
    [
      "a missing end marker",
      (b: string) => b.replace("<!-- okstra:stack:end -->", ""),
      /start marker without an end marker/,
    ],
    ["a missing start marker", (b: string) => b.replace(/^<!--[^\n]*-->/, ""), /end marker without a start marker/],
    [
      "an end before the start",
      (b: string) => `<!-- okstra:stack:end -->\n${b.replace("<!-- okstra:stack:end -->", "")}`,
      /end marker comes before/,
    ],
  ])("refuses %s", (_label, damage, reason) => {
    const body = `above\n${damage(blockWith(["draft", "draft", "draft", "draft"]))}\nbelow`;
    const result = replaceStackBlock(body, blockWith(["verified", "draft", "draft", "draft"]));
    expect(result.kind).toBe("refused");
    expect(result.kind === "refused" && result.reason).toMatch(reason);
  });
});
