import { afterEach, describe, expect, it } from "@jest/globals";
import { geminiError, geminiResponse } from "../../fixtures/workers/api-responses.js";
import { pilotResultSchema, resultJsonSchema } from "../../src/workers/results.js";
import { httpMock } from "../helpers/http-mock.js";
import { recordingRetry, removeWorkspaces, runApiWorker, workerRequest } from "./helpers.js";

/** The gemini provider against the Gemini API's real generateContent shapes (nock). */

const API = "https://generativelanguage.googleapis.com";
// @google/genai 3.1.0 calls the v1 endpoint.
const PATH = "/v1/models/gemini-2.5-pro:generateContent";
const APP_ENV = { GEMINI_API_KEY: "gemini-test-key" };

const DECISION = {
  analysis: "stage 3 failed its post validation on a flaky port",
  retry: [{ stage: 3, guidance: "bind to port 0" }],
  skip: [],
  replan: false,
};

const pilotRequest = () =>
  workerRequest(pilotResultSchema, {
    role: "pilot",
    phase: "implementation",
    prompt: "Stages 3 and 4 failed. Decide what to retry.",
    input: { failed: [3, 4] },
  });

const run = (retry = recordingRetry(), env: NodeJS.ProcessEnv = APP_ENV) =>
  runApiWorker({ request: pilotRequest(), spec: { provider: "gemini" }, schema: pilotResultSchema }, env, retry);

type Body = Record<string, any>;

afterEach(removeWorkspaces);

describe("gemini provider", () => {
  it("asks for application/json with the result schema and parses the text part with its usage", async () => {
    const bodies: Body[] = [];
    httpMock(API)
      .post(PATH, (body: Body) => bodies.push(body) > 0)
      .matchHeader("x-goog-api-key", "gemini-test-key")
      .reply(200, geminiResponse(JSON.stringify(DECISION)));

    const outcome = await run();

    expect(outcome).toMatchObject({ status: "ok", attempts: 1, model: "gemini-2.5-pro", result: DECISION });
    // Thinking tokens are billed as output.
    expect(outcome.usage).toMatchObject({ inputTokens: 5000, outputTokens: 1000 });
    expect(outcome.usage.costUsd).toBeCloseTo((5000 * 1.25 + 1000 * 10) / 1e6, 10);

    const [body] = bodies;
    expect(body.contents).toEqual([{ role: "user", parts: [{ text: pilotRequest().prompt }] }]);
    expect(body.systemInstruction.parts[0].text).toContain("worker of okstra");
    const { $schema: _, ...schema } = resultJsonSchema(pilotResultSchema);
    expect(body.generationConfig).toMatchObject({
      responseMimeType: "application/json",
      responseJsonSchema: schema,
      maxOutputTokens: 16000,
    });
  });

  it("retries a 429 after its retry-after, then succeeds", async () => {
    const retry = recordingRetry();
    httpMock(API)
      .post(PATH)
      .reply(429, geminiError(429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota)."), {
        "retry-after": "3",
      })
      .post(PATH)
      .reply(200, geminiResponse(JSON.stringify(DECISION)));

    const outcome = await run(retry);

    expect(outcome).toMatchObject({ status: "ok", attempts: 1, result: DECISION });
    expect(retry.delays).toEqual([3000]);
  });

  it("does not wait out a retry-after longer than the policy allows; the re-dispatch then succeeds", async () => {
    const retry = recordingRetry();
    httpMock(API)
      .post(PATH)
      .reply(500, geminiError(500, "INTERNAL", "An internal error has occurred."), { "retry-after": "3600" })
      .post(PATH)
      .reply(200, geminiResponse(JSON.stringify(DECISION)));

    const outcome = await run(retry);

    expect(outcome).toMatchObject({ status: "ok", attempts: 2 });
    expect(retry.delays).toEqual([]);
  });

  it("sends a malformed answer's error back once, then records contract-violated", async () => {
    const bodies: Body[] = [];
    httpMock(API)
      .post(PATH, (body: Body) => bodies.push(body) > 0)
      .reply(200, geminiResponse("Here is my analysis: retry stage 3."))
      .post(PATH, (body: Body) => bodies.push(body) > 0)
      .reply(
        200,
        geminiResponse(JSON.stringify({ analysis: "retry", retry: [{ stage: "three" }], skip: [], replan: "no" })),
      );

    const outcome = await run();

    expect(outcome.status).toBe("contract-violated");
    expect(outcome.attempts).toBe(2);
    expect(outcome.reason).toMatch(/\(at retry\[0\]\.stage\)/);
    expect(outcome.reason).toMatch(/\(at replan\)/);
    const retried: string = bodies[1].contents[0].parts[0].text;
    expect(retried).toContain("does not match the required result schema");
    expect(retried).toMatch(/the answer is not JSON \(finishReason: STOP\)/);
  });

  it("names GEMINI_API_KEY when it is missing", async () => {
    const outcome = await run(recordingRetry(), {});
    expect(outcome).toMatchObject({
      status: "failed",
      attempts: 1,
      reason: "GEMINI_API_KEY is not set in okstra's environment; provider `gemini` cannot run",
    });
  });
});
