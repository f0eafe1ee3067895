import { afterEach, describe, expect, it } from "@jest/globals";
import { anthropicError, anthropicToolUse } from "../../fixtures/workers/api-responses.js";
import { resultJsonSchema, verifierResultSchema } from "../../src/workers/results.js";
import { httpMock } from "../helpers/http-mock.js";
import { recordingRetry, removeWorkspaces, runApiWorker, workerRequest } from "./helpers.js";

/** The anthropic provider against the Messages API's real request and response shapes (nock). */

const API = "https://api.anthropic.com";
const APP_ENV = { ANTHROPIC_API_KEY: "sk-ant-test-key" };

const FINDING = {
  id: "F-1",
  stage: 2,
  claim: "the export endpoint does not escape commas in CSV fields",
  evidence: [{ path: "src/export.ts", line: 14, quote: "row.join(',')" }],
  severity: "major",
  category: "correctness",
};

/** The shared context (what every call of the run repeats) comes first; the role's own text follows it. */
const CONTEXT = "# Verifying issue-12: the shared context\n\nStages 2 and 3, their diffs and checks.\n\n---\n\n";
const ROLE_TEXT = "# Role: verifier\n\nVerify stages 2 and 3 of issue-12 against their contracts.";
const verifierRequest = () =>
  workerRequest(verifierResultSchema, {
    role: "verifier",
    phase: "verification",
    prompt: CONTEXT + ROLE_TEXT,
    stablePrefixLength: CONTEXT.length,
    input: { stages: [2, 3] },
  });

const run = (retry = recordingRetry(), env: NodeJS.ProcessEnv = APP_ENV) =>
  runApiWorker(
    { request: verifierRequest(), spec: { provider: "anthropic" }, schema: verifierResultSchema },
    env,
    retry,
  );

type Body = Record<string, any>;

afterEach(removeWorkspaces);

describe("anthropic provider", () => {
  it("forces a single tool shaped like the result schema, breaks the cache after the shared context and prices the usage", async () => {
    const bodies: Body[] = [];
    const scope = httpMock(API)
      .post("/v1/messages", (body: Body) => bodies.push(body) > 0)
      // SDK 1.11 sends the key as a bearer token.
      .matchHeader("authorization", "Bearer sk-ant-test-key")
      .reply(200, anthropicToolUse({ findings: [FINDING] }));

    const outcome = await run();

    expect(scope.isDone()).toBe(true);
    expect(outcome).toMatchObject({
      status: "ok",
      attempts: 1,
      provider: "anthropic",
      model: "claude-sonnet-4-6",
      result: { findings: [FINDING] },
    });
    // 1200 fresh + 2048 written to the cache + 4096 read from it.
    expect(outcome.usage.inputTokens).toBe(7344);
    expect(outcome.usage.outputTokens).toBe(350);
    expect(outcome.usage.costUsd).toBeCloseTo((1200 * 3 + 2048 * 3.75 + 4096 * 0.3 + 350 * 15) / 1e6, 10);

    const [body] = bodies;
    expect(body.model).toBe("claude-sonnet-4-6");
    expect(body.max_tokens).toBe(16000);
    expect(body.tool_choice).toEqual({ type: "tool", name: "submit_result" });
    expect(body.tools).toHaveLength(1);
    expect(body.tools[0].name).toBe("submit_result");
    const { $schema: _, ...schema } = resultJsonSchema(verifierResultSchema);
    expect(body.tools[0].input_schema).toEqual(schema);
    // The system text is the same for every role, so it never breaks the shared prefix; no breakpoint of its own.
    expect(body.system).toEqual([{ type: "text", text: expect.stringContaining("worker of okstra") }]);
    expect(body.messages).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: CONTEXT, cache_control: { type: "ephemeral" } },
          { type: "text", text: ROLE_TEXT },
        ],
      },
    ]);
  });

  it("waits out a 429's retry-after, then succeeds within the same attempt", async () => {
    const retry = recordingRetry();
    httpMock(API)
      .post("/v1/messages")
      .reply(
        429,
        anthropicError("rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit"),
        { "retry-after": "7" },
      )
      .post("/v1/messages")
      .reply(200, anthropicToolUse({ findings: [] }));

    const outcome = await run(retry);

    expect(outcome).toMatchObject({ status: "ok", attempts: 1, result: { findings: [] } });
    expect(retry.delays).toEqual([7000]);
  });

  it("gives up on a persistent 500 after the transport retries and one re-dispatch", async () => {
    const retry = recordingRetry(1);
    const failure = anthropicError("api_error", "Internal server error");
    httpMock(API).post("/v1/messages").times(4).reply(500, failure);

    const outcome = await run(retry);

    expect(outcome.status).toBe("failed");
    expect(outcome.attempts).toBe(2);
    expect(outcome.reason).toMatch(/^500 .*Internal server error/);
    expect(retry.delays).toHaveLength(2); // one backoff inside each attempt
  });

  it("sends the zod error back once, keeping the cached prefix, then records contract-violated", async () => {
    const bodies: Body[] = [];
    const badFinding = { ...FINDING, severity: "catastrophic", evidence: [{ path: "src/export.ts", line: 14 }] };
    httpMock(API)
      .post("/v1/messages", (body: Body) => bodies.push(body) > 0)
      .times(2)
      .reply(200, anthropicToolUse({ findings: [badFinding] }));

    const outcome = await run();

    expect(outcome.status).toBe("contract-violated");
    expect(outcome.attempts).toBe(2);
    expect(outcome.reason).toContain("findings[0].severity");
    expect(bodies).toHaveLength(2);
    const [context, own, feedback] = bodies[1].messages[0].content;
    expect(context).toEqual({ type: "text", text: CONTEXT, cache_control: { type: "ephemeral" } });
    expect(own).toEqual({ type: "text", text: ROLE_TEXT });
    expect(feedback.cache_control).toBeUndefined();
    expect(feedback.text).toContain("does not match the required result schema");
    expect(feedback.text).toMatch(
      /Invalid option: expected one of "blocker"\|"major"\|"minor"\|"nit"\s+→ at findings\[0\]\.severity/,
    );
    expect(feedback.text).toMatch(/→ at findings\[0\]\.evidence\[0\]\.quote/);
    // Both calls were paid for.
    expect(outcome.usage.outputTokens).toBe(700);
  });

  it("fails with the variable to set when ANTHROPIC_API_KEY is missing, making no request", async () => {
    const outcome = await run(recordingRetry(), {});
    expect(outcome).toMatchObject({ status: "failed", attempts: 1 });
    expect(outcome.reason).toBe(
      "ANTHROPIC_API_KEY is not set in okstra's environment; provider `anthropic` cannot run",
    );
  });
});
