import { afterEach, describe, expect, it } from "@jest/globals";
import { parseConfig } from "../../src/config/load.js";
import { strictJsonSchema } from "../../src/workers/api-schema.js";
import { reviewerResultSchema, resultJsonSchema, verifierResultSchema } from "../../src/workers/results.js";
import { runWorker } from "../../src/workers/run-worker.js";
import { startModelServer, type ModelServer } from "../helpers/model-server/index.js";
import { recordingRetry, removeWorkspaces, workerRequest, workspace } from "./helpers.js";

/**
 * Provider `openai-compatible`: any Chat Completions server at `baseUrl`
 * (vLLM, Ollama, Azure, OpenRouter), here the scripted model server speaking
 * the real wire format. An optional key, a per-worker price, and an unknown
 * model's price stated rather than silently the dearest.
 */

let server: ModelServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  removeWorkspaces();
});

const FINDING = {
  id: "F-1",
  stage: 1,
  claim: "csvRow drops the last field.",
  evidence: [{ path: "src/csv.js", line: 3, quote: "x" }],
  severity: "major",
  category: "correctness",
};
const request = () =>
  workerRequest(verifierResultSchema, {
    role: "verifier",
    phase: "verification",
    prompt: "Verify stage 1.",
    input: {},
  });

function run(spec: Record<string, unknown>, appEnv: NodeJS.ProcessEnv = {}) {
  return runWorker({
    request: request(),
    spec: spec as never,
    schema: verifierResultSchema,
    cwd: workspace(),
    deadlineMs: 20_000,
    appEnv,
    httpRetry: recordingRetry().policy,
  });
}

describe("openai-compatible provider", () => {
  it("calls Chat Completions at baseUrl with a strict schema, without a key, and prices at the worker's configured price", async () => {
    server = await startModelServer(() => ({ text: JSON.stringify({ findings: [FINDING] }) }));
    const outcome = await run({
      provider: "openai-compatible",
      model: "qwen2.5-coder:32b",
      baseUrl: `${server.url}/v1`,
      price: { input: 0.2, output: 0.6 },
    });

    expect(outcome).toMatchObject({
      status: "ok",
      provider: "openai-compatible",
      model: "qwen2.5-coder:32b",
      result: { findings: [FINDING] },
    });
    const [call] = server.turns();
    expect(call!.path).toBe("/v1/chat/completions");
    const body = JSON.parse(call!.body);
    expect(body.response_format).toMatchObject({
      type: "json_schema",
      json_schema: { strict: true, schema: strictJsonSchema(resultJsonSchema(verifierResultSchema)) },
    });
    // No key configured: a placeholder bearer, never another provider's key.
    expect(call!.headers.authorization).toBe("Bearer okstra-no-key");
    const { inputTokens, outputTokens } = call!.usage!;
    expect(outcome.usage).toMatchObject({ inputTokens, outputTokens });
    expect(outcome.usage.costUsd).toBeCloseTo((inputTokens * 0.2 + outputTokens * 0.6) / 1e6, 12);
    expect(outcome.priceNote).toMatch(
      /qwen2\.5-coder:32b priced from the worker's configured `price` \(\$0\.2\/\$0\.6 per Mtok/,
    );
  });

  it("sends the key from the variable apiKeyEnv names, and reads an answer a server without structured outputs wrapped in prose", async () => {
    server = await startModelServer(() => ({
      text: `Sure! Here are my findings:\n\`\`\`json\n${JSON.stringify({ findings: [] })}\n\`\`\``,
    }));
    const outcome = await run(
      {
        provider: "openai-compatible",
        model: "meta-llama/llama-3.3-70b",
        baseUrl: `${server.url}/api/v1`,
        apiKeyEnv: "OPENROUTER_API_KEY",
      },
      { OPENROUTER_API_KEY: "or-key", OPENAI_API_KEY: "not-this-one" },
    );
    expect(outcome).toMatchObject({ status: "ok", result: { findings: [] } });
    expect(server.turns()[0]!.headers.authorization).toBe("Bearer or-key");
    // An unknown model without a configured price: the estimate is the dearest known price, and okstra says so.
    expect(outcome.priceNote).toMatch(
      /meta-llama\/llama-3\.3-70b is not in okstra's price table: estimated at the dearest known price \(\$15\/\$75 per Mtok in\/out\); set `price` on this worker/,
    );
  });

  it("fails without calling when apiKeyEnv names a variable that is not set", async () => {
    server = await startModelServer(() => ({ text: "{}" }));
    const outcome = await run({
      provider: "openai-compatible",
      model: "m",
      baseUrl: server.url,
      apiKeyEnv: "AZURE_OPENAI_KEY",
    });
    expect(outcome).toMatchObject({
      status: "failed",
      attempts: 1,
      reason: "AZURE_OPENAI_KEY (the worker's `apiKeyEnv`) is not set in okstra's environment",
    });
    expect(server.requests).toEqual([]);
  });
});

describe("strict schemas Azure accepts", () => {
  it("carry no `default` anywhere, while zod still fills the default in", () => {
    const strict = JSON.stringify(strictJsonSchema(resultJsonSchema(reviewerResultSchema)));
    expect(strict).not.toContain('"default"');
    expect(JSON.stringify(resultJsonSchema(reviewerResultSchema))).toContain('"default"');
    expect(reviewerResultSchema.parse({ answers: [{ findingId: "V1-F-1", verdict: "AGREE" }] })).toEqual({
      answers: [{ findingId: "V1-F-1", verdict: "AGREE", evidence: "" }],
    });
  });
});

describe("worker config", () => {
  const problems = (yaml: string) => {
    const result = parseConfig(yaml);
    return result.ok ? [] : result.problems.map((p) => `${p.path}: ${p.message}`);
  };

  it("accepts openai-compatible with a baseUrl, a model, a key variable and a price", () => {
    const result = parseConfig(
      'workers:\n  verifiers: [ { provider: openai-compatible, model: "qwen2.5-coder:32b", baseUrl: "http://localhost:11434/v1", apiKeyEnv: OLLAMA_KEY, price: { input: 0, output: 0 } } ]\n',
    );
    expect(result.ok).toBe(true);
  });

  it("says what an openai-compatible worker is missing, and refuses settings that belong to another provider", () => {
    expect(problems("workers:\n  pilot: { provider: openai-compatible }\n")).toEqual([
      "workers.pilot.model: provider `openai-compatible` needs a `model`, the id the server knows it by (e.g. qwen2.5-coder:32b)",
      "workers.pilot.baseUrl: provider `openai-compatible` needs a `baseUrl`, e.g. http://localhost:11434/v1",
    ]);
    expect(problems("workers:\n  pilot: { provider: anthropic, apiKeyEnv: MY_KEY }\n")).toEqual([
      "workers.pilot.apiKeyEnv: `apiKeyEnv` is only for provider `openai-compatible`; `anthropic` reads its vendor's key variable",
    ]);
    expect(problems('workers:\n  pilot: { provider: openai, baseUrl: "ftp://example.com" }\n')).toHaveLength(1);
  });
});
