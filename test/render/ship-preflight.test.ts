import { describe, expect, it } from "@jest/globals";
import {
  renderPreflightCheckRun,
  renderPreflightComment,
  renderPreflightStatus,
} from "../../src/render/ship-preflight.js";

/**
 * Conflict paths are file names a worker (or anyone who pushes) chose: in every place the preflight is
 * said, each stays inside one code span, however many backticks it holds — never a mention, never a link.
 */

const HOSTILE = "a`` @acme/team [x](https://evil.example) ``b";
const preflight = { stages: [1, 2], conflicts: [{ stages: [1, 2], paths: [HOSTILE, "README.md"] }] };

/** The text left once every code span is taken out: what GitHub would render as markdown. */
function outsideCodeSpans(markdown: string): string {
  return markdown.replace(/(`+)[^`]?[\s\S]*?[^`]?\1(?!`)/g, "");
}

describe("the ship preflight's words", () => {
  it("keep a path with backtick runs inside its code span in the comment, the check run and status", () => {
    for (const text of [
      renderPreflightComment(preflight, 1, "verify-3"),
      renderPreflightCheckRun(preflight, 2)!,
      renderPreflightStatus(preflight)!,
    ]) {
      expect(text).toContain("``` a`` @acme/team [x](https://evil.example) ``b ```");
      const rendered = outsideCodeSpans(text);
      expect(rendered).not.toContain("@acme");
      expect(rendered).not.toContain("](");
    }
  });
});
