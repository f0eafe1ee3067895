import { afterEach, describe, expect, it } from "@jest/globals";
import { openaiCompletion, openaiError } from "../../fixtures/workers/api-responses.js";
import { executorResultSchema } from "../../src/workers/results.js";
import { httpMock } from "../helpers/http-mock.js";
import { executorRequest, recordingRetry, removeWorkspaces, runApiWorker } from "./helpers.js";

/** The openai provider against the Chat Completions API's real shapes (nock). */

const API = "https://api.openai.com";
const APP_ENV = { OPENAI_API_KEY: "sk-test-openai" };

const run = (retry = recordingRetry(), env: NodeJS.ProcessEnv = APP_ENV) =>
  runApiWorker(
    { request: executorRequest(), spec: { provider: "openai", model: "gpt-5.4" }, schema: executorResultSchema },
    env,
    retry,
  );

type Body = Record<string, any>;

afterEach(removeWorkspaces);

describe("openai provider", () => {
  it("asks for strict JSON-schema output and parses the message content with its usage", async () => {
    const bodies: Body[] = [];
    httpMock(API)
      .post("/v1/chat/completions", (body: Body) => bodies.push(body) > 0)
      .matchHeader("authorization", "Bearer sk-test-openai")
      // Strict mode makes the optional `notes` required-but-nullable; null means absent.
      .reply(200, openaiCompletion(JSON.stringify({ summary: "added the export endpoint", notes: null })));

    const outcome = await run();

    expect(outcome).toMatchObject({
      status: "ok",
      attempts: 1,
      model: "gpt-5.4",
      result: { summary: "added the export endpoint" },
    });
    expect(outcome.result).not.toHaveProperty("notes");
    expect(outcome.usage.inputTokens).toBe(3000);
    expect(outcome.usage.outputTokens).toBe(200);
    expect(outcome.usage.costUsd).toBeCloseTo(((3000 - 1024) * 2.5 + 1024 * 0.25 + 200 * 15) / 1e6, 10);

    const [body] = bodies;
    expect(body.model).toBe("gpt-5.4");
    expect(body.max_completion_tokens).toBe(16000);
    expect(body.messages.map((m: Body) => m.role)).toEqual(["system", "user"]);
    expect(body.messages[1].content).toBe(executorRequest().prompt);
    expect(body.response_format).toEqual({
      type: "json_schema",
      json_schema: {
        name: "okstra_executor_result",
        strict: true,
        schema: {
          type: "object",
          properties: { summary: { type: "string" }, notes: { type: ["string", "null"] } },
          required: ["summary", "notes"],
          additionalProperties: false,
        },
      },
    });
  });

  it("retries a 429 after its retry-after, then succeeds", async () => {
    const retry = recordingRetry();
    httpMock(API)
      .post("/v1/chat/completions")
      .reply(
        429,
        openaiError("Rate limit reached for gpt-5.4 on tokens per min (TPM)", "tokens", "rate_limit_exceeded"),
        { "retry-after": "2" },
      )
      .post("/v1/chat/completions")
      .reply(200, openaiCompletion(JSON.stringify({ summary: "done", notes: "after a rate limit" })));

    const outcome = await run(retry);

    expect(outcome).toMatchObject({
      status: "ok",
      attempts: 1,
      result: { summary: "done", notes: "after a rate limit" },
    });
    expect(retry.delays).toEqual([2000]);
  });

  it("retries a 500 with backoff inside the attempt", async () => {
    const retry = recordingRetry();
    httpMock(API)
      .post("/v1/chat/completions")
      .reply(
        500,
        openaiError("The server had an error while processing your request. Sorry about that!", "server_error"),
      )
      .post("/v1/chat/completions")
      .reply(200, openaiCompletion(JSON.stringify({ summary: "done", notes: null })));

    const outcome = await run(retry);

    expect(outcome).toMatchObject({ status: "ok", attempts: 1 });
    expect(retry.delays).toHaveLength(1);
    expect(retry.delays[0]).toBeGreaterThan(0);
  });

  it("sends a malformed answer's error back once, then records contract-violated", async () => {
    const bodies: Body[] = [];
    httpMock(API)
      .post("/v1/chat/completions", (body: Body) => bodies.push(body) > 0)
      .reply(200, openaiCompletion('{"summary": "cut off mid-'))
      .post("/v1/chat/completions", (body: Body) => bodies.push(body) > 0)
      .reply(200, openaiCompletion(JSON.stringify({ summary: "", notes: null })));

    const outcome = await run();

    expect(outcome.status).toBe("contract-violated");
    expect(outcome.attempts).toBe(2);
    expect(outcome.reason).toMatch(/Too small: expected string to have >=1 characters \(at summary\)/);
    const retried: string = bodies[1].messages[1].content;
    expect(retried.startsWith(executorRequest().prompt)).toBe(true);
    expect(retried).toContain("does not match the required result schema");
    expect(retried).toMatch(/the answer is not JSON \(finish_reason: stop\)/);
  });

  it("names OPENAI_API_KEY when it is missing", async () => {
    const outcome = await run(recordingRetry(), {});
    expect(outcome).toMatchObject({
      status: "failed",
      attempts: 1,
      reason: "OPENAI_API_KEY is not set in okstra's environment; provider `openai` cannot run",
    });
  });
});
