import { describe, expect, it } from "@jest/globals";
import { dropNulls, strictJsonSchema } from "../../src/workers/api-schema.js";
import { requestedDelayMs } from "../../src/workers/http-retry.js";
import { jsonFromModelText, lastJsonDocument } from "../../src/workers/json-document.js";
import { costOf, priceOf } from "../../src/workers/prices.js";
import { pilotResultSchema, resultJsonSchema, reviewerResultSchema } from "../../src/workers/results.js";
import { CommandSyntaxError, splitCommand } from "../../src/workers/split-command.js";

/** The small pure pieces the providers stand on. */

describe("splitCommand", () => {
  it("splits like a POSIX shell quotes, without running one", () => {
    expect(splitCommand(`bin/agent --model "gpt 5" --note 'it''s' a\\ b "\\"q\\"" $(rm -rf /) *`)).toEqual([
      "bin/agent",
      "--model",
      "gpt 5",
      "--note",
      "its",
      "a b",
      '"q"',
      "$(rm",
      "-rf",
      "/)",
      "*",
    ]);
  });

  it("keeps an empty quoted argument", () => {
    expect(splitCommand(`agent "" x`)).toEqual(["agent", "", "x"]);
  });

  it("rejects unterminated quotes and empty commands", () => {
    expect(() => splitCommand(`agent "open`)).toThrow(CommandSyntaxError);
    expect(() => splitCommand("   ")).toThrow(/it is empty/);
  });
});

describe("lastJsonDocument", () => {
  it("takes the last JSON line after logs and earlier documents", () => {
    expect(lastJsonDocument('starting\n{"a":1}\nlog line\n{"b":2}\n')).toEqual({ ok: true, value: { b: 2 } });
  });

  it("takes a pretty-printed document that ends the output", () => {
    expect(lastJsonDocument('log\n{"early":true}\n{\n  "summary": "x",\n  "nested": { "k": [1, 2] }\n}\n\n')).toEqual({
      ok: true,
      value: { summary: "x", nested: { k: [1, 2] } },
    });
  });

  it("says when there is none", () => {
    expect(lastJsonDocument("no json here {oops")).toEqual({
      ok: false,
      error: "no JSON document found at the end of the output",
    });
    expect(lastJsonDocument("")).toEqual({ ok: false, error: "the worker printed nothing" });
  });
});

describe("jsonFromModelText", () => {
  it("accepts a bare document, the last fenced block, or braces inside prose", () => {
    expect(jsonFromModelText(' {"a":1} ')).toEqual({ ok: true, value: { a: 1 } });
    expect(jsonFromModelText('Draft:\n```json\n{"a":1}\n```\nFinal:\n```json\n{"a":2}\n```')).toEqual({
      ok: true,
      value: { a: 2 },
    });
    expect(jsonFromModelText('Here it is: {"a": {"b": 3}} — done.')).toEqual({ ok: true, value: { a: { b: 3 } } });
  });

  it("explains what it got when there is no JSON", () => {
    const got = jsonFromModelText("I could not finish.");
    expect(got).toEqual({ ok: false, error: 'the answer is not JSON: "I could not finish."' });
  });
});

describe("strictJsonSchema", () => {
  it("makes every property required, optional ones nullable, and drops what strict mode rejects", () => {
    const strict = strictJsonSchema(resultJsonSchema(reviewerResultSchema)) as any;
    expect(strict.$schema).toBeUndefined();
    const answer = strict.properties.answers.items;
    expect(answer.required).toEqual(["findingId", "verdict", "evidence", "note"]);
    expect(answer.additionalProperties).toBe(false);
    expect(answer.properties.note).toEqual({ type: ["string", "null"] });
    expect(answer.properties.findingId).toEqual({ type: "string" });
  });

  it("drops the meaningless safe-integer bounds zod emits but keeps real ones", () => {
    const strict = strictJsonSchema(resultJsonSchema(pilotResultSchema)) as any;
    expect(strict.properties.retry.items.properties.stage).toEqual({ type: "integer", exclusiveMinimum: 0 });
  });

  it("round-trips: nulls for optional fields become absent again", () => {
    expect(dropNulls({ answers: [{ findingId: "F-1", note: null, evidence: "" }] })).toEqual({
      answers: [{ findingId: "F-1", evidence: "" }],
    });
  });
});

describe("requestedDelayMs", () => {
  const headers = (entries: Record<string, string>) => new Headers(entries);
  it("reads retry-after-ms, retry-after seconds and retry-after dates", () => {
    expect(requestedDelayMs(headers({ "retry-after-ms": "1500", "retry-after": "9" }))).toBe(1500);
    expect(requestedDelayMs(headers({ "retry-after": "2" }))).toBe(2000);
    const now = Date.parse("2026-11-21T10:00:00Z");
    expect(requestedDelayMs(headers({ "retry-after": "Sat, 21 Nov 2026 10:00:30 GMT" }), now)).toBe(30_000);
    expect(requestedDelayMs(headers({}))).toBeUndefined();
  });
});

describe("prices", () => {
  it("matches dated snapshots to their base model", () => {
    expect(priceOf("claude-sonnet-4-5-20250929")).toEqual(priceOf("claude-sonnet-4-5"));
    expect(priceOf("gpt-5.4-mini")).toEqual({ input: 0.75, output: 4.5, cachedInput: 0.075 });
  });

  it("prices an unknown model at the dearest known rate, so budgets err on stopping", () => {
    expect(costOf("some-new-model", { inputTokens: 1_000_000, outputTokens: 0 })).toBe(15);
  });

  it("trusts a cost the provider reported itself", () => {
    expect(costOf("claude-sonnet-4-6", { inputTokens: 1_000_000, outputTokens: 1_000_000, costUsd: 0.5 })).toBe(0.5);
  });
});
