import OpenAI from "openai";
import { retryingFetch } from "../http-retry.js";
import type { ProviderAnswer, ProviderCall, WorkerProvider } from "../types.js";
import { NO_TOKENS } from "./spawn-worker.js";
import { sdkTimeoutMs } from "./api-common.js";
import { chatCompletionAnswer } from "./openai.js";

/**
 * Any server that speaks OpenAI's Chat Completions at `baseUrl`: vLLM,
 * Ollama, Azure OpenAI (its `/openai/v1` endpoint), OpenRouter, LiteLLM.
 * The request is the `openai` provider's (structured outputs with a strict
 * schema, no `default` keywords, which Azure rejects); an answer that comes
 * back fenced or wrapped in prose from a server without structured outputs
 * is still read. The key is optional — a local server needs none — and comes
 * from the variable the worker's `apiKeyEnv` names, never another
 * provider's. Its model is rarely in the price table: set `price` on the
 * worker, or the stated unknown-model estimate applies.
 */

/** Sent when no key is configured: the SDK requires a string, a keyless local server ignores it. */
const NO_KEY = "okstra-no-key";

export const openaiCompatibleProvider: WorkerProvider = {
  name: "openai-compatible",
  async invoke(call: ProviderCall): Promise<ProviderAnswer> {
    const { baseUrl, apiKeyEnv } = call.spec;
    if (!baseUrl) {
      const reason = "provider `openai-compatible` needs a `baseUrl` in .github/okstra.yml";
      return { kind: "failed", reason, retryable: false, usage: NO_TOKENS, transcript: reason };
    }
    const key = apiKeyEnv ? call.appEnv[apiKeyEnv] : undefined;
    if (apiKeyEnv && !key) {
      const reason = `${apiKeyEnv} (the worker's \`apiKeyEnv\`) is not set in okstra's environment`;
      return { kind: "failed", reason, retryable: false, usage: NO_TOKENS, transcript: reason };
    }
    const client = new OpenAI({
      apiKey: key ?? NO_KEY,
      baseURL: baseUrl,
      fetch: retryingFetch(call.httpRetry),
      maxRetries: 0,
      timeout: sdkTimeoutMs(call),
    });
    return chatCompletionAnswer(call, client);
  },
};
