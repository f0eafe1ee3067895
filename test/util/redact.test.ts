import { describe, expect, it } from "@jest/globals";
import { redactSecrets } from "../../src/util/redact.js";

describe("redactSecrets", () => {
  it.each([
    ['"authorization": "token ghs_abcdefghijklmnopqrstuvwxyz0123"', "ghs_abcdefghijklmnopqrstuvwxyz0123"],
    ["AUTHORIZATION: basic eC1hY2Nlc3MtdG9rZW46c2VjcmV0", "eC1hY2Nlc3MtdG9rZW46c2VjcmV0"],
    ["https://x-access-token:ghs_secret@github.com/o/r.git", "ghs_secret"],
    ["key sk-ant-api03-abcdefghijklmnopqrstuv", "sk-ant-api03-abcdefghijklmnopqrstuv"],
    ["github_pat_11ABCDEFG0123456789_abcdefghijklmnop", "github_pat_11ABCDEFG0123456789_abcdefghijklmnop"],
  ])("removes the secret from %s", (text, secret) => {
    expect(redactSecrets(text)).not.toContain(secret);
  });

  it("leaves ordinary text alone", () => {
    expect(redactSecrets("stage 2 failed: npm test exited 1")).toBe("stage 2 failed: npm test exited 1");
  });
});
