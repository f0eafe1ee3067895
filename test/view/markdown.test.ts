import { describe, expect, it } from "@jest/globals";
import { escapeHtml, safeHref } from "../../src/view/escape.js";
import { renderMarkdown } from "../../src/view/markdown.js";

describe("renderMarkdown: what okstra's comments use", () => {
  it("renders headings, lists with check boxes, emphasis and code spans", () => {
    const html = renderMarkdown(
      "### Plan v1\n\n- ☐ one **bold** and *it*\n- [x] `a <b> c`\n  - nested\n\n1. first\n2. second",
    );
    expect(html).toContain("<h3>Plan v1</h3>");
    expect(html).toContain(
      "<ul><li>☐ one <strong>bold</strong> and <em>it</em></li><li>☑ <code>a &lt;b&gt; c</code><ul><li>nested</li></ul></li></ul>",
    );
    expect(html).toContain("<ol><li>first</li><li>second</li></ol>");
  });

  it("renders GFM tables, keeping an escaped bar inside a cell", () => {
    const html = renderMarkdown("| Item | Files |\n|---|:---:|\n| P-1.1 | `a\\|b` |\n| P-1.2 | x |");
    expect(html).toContain('<thead><tr><th>Item</th><th class="align-center">Files</th></tr></thead>');
    expect(html).toContain('<tr><td>P-1.1</td><td class="align-center"><code>a|b</code></td></tr>');
    expect(html.match(/<tr>/g)).toHaveLength(3);
  });

  it("keeps okstra's <details>/<summary>/<b> and closes what the text left open", () => {
    const html = renderMarkdown(
      "<details>\n<summary><b>Stage 1 · x</b> — 2 steps</summary>\n\n**Slice**\n\n<details><summary>inner <code>npm test</code>",
    );
    expect(html).toContain("<details>\n<summary><b>Stage 1 · x</b> — 2 steps</summary>");
    expect(html).toContain("<summary>inner <code>npm test</code></summary>");
    expect(html.match(/<details>/g)).toHaveLength(2);
    expect(html.match(/<\/details>/g)).toHaveLength(2);
  });

  it("drops a stray closing tag instead of closing the page's own elements", () => {
    expect(renderMarkdown("a </details></div></b> b")).toBe("<p>a &lt;/div&gt; b</p>");
  });

  it("hides HTML comments (okstra's markers) and renders fenced code verbatim", () => {
    const html = renderMarkdown('<!-- okstra:plan {"task":1} -->\n```mermaid\ngraph TD\n  S1["<b>x</b>"] --> S2\n```');
    expect(html).not.toContain("okstra:plan");
    expect(html).toBe(
      '<pre data-lang="mermaid"><code>graph TD\n  S1[&quot;&lt;b&gt;x&lt;/b&gt;&quot;] --&gt; S2</code></pre>',
    );
  });

  it("links http(s) and file URLs and shows pseudo-URLs as text", () => {
    const html = renderMarkdown(
      "[plan](file:///tmp/a.json) · [report](okstra/ledger:tasks/1/report.md) · see https://example.com/x",
    );
    expect(html).toContain('<a href="file:///tmp/a.json">plan</a>');
    expect(html).toContain('report <code class="url">okstra/ledger:tasks/1/report.md</code>');
    expect(html).toContain('<a href="https://example.com/x">https://example.com/x</a>');
  });

  it("keeps line breaks inside a paragraph and passes character references through", () => {
    expect(renderMarkdown("one\ntwo &amp; &lt;three&gt;")).toBe("<p>one<br>\ntwo &amp; &lt;three&gt;</p>");
  });
});

describe("renderMarkdown: nothing from the input becomes markup", () => {
  it.each([
    ["<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"],
    [`"><img src=x onerror=alert(1)>`, "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"],
    ["<details open ontoggle=alert(1)>", "&lt;details open ontoggle=alert(1)&gt;"],
    ["<b onclick=alert(1)>x</b>", "&lt;b onclick=alert(1)&gt;x"],
    ["<svg/onload=alert(1)>", "&lt;svg/onload=alert(1)&gt;"],
    ["[x](javascript:alert(1))", 'x <code class="url">javascript:alert(1)</code>'],
    ["[x](JaVaScRiPt:alert(1))", 'x <code class="url">JaVaScRiPt:alert(1)</code>'],
    ['[x](https://a.example/"onmouseover="alert(1))', "x"],
    ["![pic](https://example.com/p.png)", '<a href="https://example.com/p.png">image: pic</a>'],
    ["`</code><script>`", "<code>&lt;/code&gt;&lt;script&gt;</code>"],
  ])("%s", (input, expected) => {
    const html = renderMarkdown(input);
    expect(html).toContain(expected);
    expect(html).not.toMatch(/<(script|img|svg|iframe)\b|<[a-z]+[^>]*\son\w+=/i);
  });

  it("renders a long run of unmatched markers in linear time", () => {
    const hostile = "**a *b `c [d](e ~~f ".repeat(4000);
    const started = process.hrtime.bigint();
    renderMarkdown(hostile);
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(2000);
  });
});

describe("escapeHtml and safeHref", () => {
  it("escapes both quotes, so escaped text is safe in an attribute too", () => {
    expect(escapeHtml(`<a href="x" title='y'>&`)).toBe("&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;");
  });

  it("allows only schemes that cannot run code in the page", () => {
    expect(safeHref("https://github.com/o/r/pull/2")).toBe("https://github.com/o/r/pull/2");
    expect(safeHref("file:///tmp/x.json")).toBe("file:///tmp/x.json");
    expect(safeHref("javascript:alert(1)")).toBeNull();
    expect(safeHref("data:text/html,<script>")).toBeNull();
    expect(safeHref("java\nscript:alert(1)")).toBeNull();
    expect(safeHref("https://a\tb")).toBeNull();
    expect(safeHref("relative/path")).toBeNull();
  });
});
