import { describe, expect, it } from "@jest/globals";
import { redactingPlatform } from "../../src/platform/redacting-platform.js";
import type { Platform } from "../../src/platform/types.js";
import { capText, cleanModelValue, redactSecrets, stripControl } from "../../src/util/redact.js";
import { ENV_SECRETS, MARKER, PRINTED_SHAPES } from "./planted.js";

/** The one redaction point (SPEC §14.3), on its own. */

describe("redactSecrets", () => {
  it("removes every known token shape, alone and inside JSON, and leaves JSON valid", () => {
    for (const shape of PRINTED_SHAPES) {
      expect(redactSecrets(`before ${shape} after`)).not.toContain(MARKER);
      const json = JSON.stringify({ tail: `printed ${shape}` });
      const redacted = redactSecrets(json);
      expect(redacted).not.toContain(MARKER);
      expect(() => JSON.parse(redacted)).not.toThrow();
    }
  });

  it("removes the literal value of every secret in okstra's environment, whatever its shape", () => {
    const env = {
      ...ENV_SECRETS,
      GIT_AUTHOR_EMAIL: "okstra@users.noreply.github.com",
      PRIVATE_KEY_PATH: "/keys/app.pem",
    };
    const text = `${Object.values(ENV_SECRETS).join(" | ")} ${JSON.stringify(ENV_SECRETS.PRIVATE_KEY)}`;
    const redacted = redactSecrets(text, env);
    expect(redacted).not.toContain(MARKER);
    expect(redacted).toContain("[redacted-secret]");
    // Variables that only name where a secret is, or are not secrets, are left alone.
    expect(redactSecrets("mail okstra@users.noreply.github.com at /keys/app.pem", env)).toBe(
      "mail okstra@users.noreply.github.com at /keys/app.pem",
    );
  });
});

describe("model text", () => {
  it("loses ANSI and OSC escapes and control characters, keeping lines and tabs", () => {
    expect(stripControl("\u001b]0;title\u0007\u001b[31mred\u001b[0m\tok\r\nnext\u0000\u0008")).toBe("red\tok\nnext");
  });

  it("is capped per field with a visible notice", () => {
    const capped = cleanModelValue({ summary: "x".repeat(3_000_000), notes: ["short"] });
    expect(capped.summary.length).toBeLessThan(21_000);
    expect(capped.summary).toContain("[okstra: 2,980,000 more characters cut]");
    expect(capped.notes).toEqual(["short"]);
    expect(capText("abc", 10)).toBe("abc");
  });
});

describe("the redacting platform", () => {
  it("redacts every text okstra writes to a conversation or a review thread", async () => {
    const sent: string[] = [];
    const record = async (...args: unknown[]) => {
      sent.push(String(args.at(-1)));
      return { id: 1, body: "", author: "okstra[bot]", createdAt: "", updatedAt: "" };
    };
    const platform = redactingPlatform({
      createComment: record,
      updateComment: record,
      replyToReviewComment: record,
      updateReviewComment: record,
    } as unknown as Platform);
    const leak = `output: ${PRINTED_SHAPES[0]}`;
    await platform.createComment(1, leak);
    await platform.updateComment(2, leak);
    await platform.replyToReviewComment(3, 4, leak);
    await platform.updateReviewComment(5, leak);
    expect(sent).toHaveLength(4);
    for (const body of sent) expect(body).not.toContain(MARKER);
  });
});
