import OpenAI from "openai";
import { dropNulls, strictJsonSchema } from "../api-schema.js";
import { jsonFromModelText } from "../json-document.js";
import { retryingFetch } from "../http-retry.js";
import type { ProviderAnswer, ProviderCall, TokenUsage, WorkerProvider } from "../types.js";
import { apiFailure, apiKey, MAX_OUTPUT_TOKENS, sdkTimeoutMs, systemPrompt } from "./api-common.js";

/**
 * The OpenAI Chat Completions API with structured outputs
 * (`response_format: { type: "json_schema", strict: true }`): the model's
 * message content is a JSON document constrained to the role's schema, made
 * strict-compatible by `strictJsonSchema`. OpenAI caches long prompt prefixes
 * by itself; the cached share is priced from `prompt_tokens_details`.
 */

export function openaiRequest(call: ProviderCall): OpenAI.ChatCompletionCreateParamsNonStreaming {
  const { request } = call;
  return {
    model: call.model,
    messages: [
      { role: "system", content: systemPrompt(request, "Answer with the JSON result only.") },
      { role: "user", content: request.prompt },
    ],
    response_format: {
      type: "json_schema",
      json_schema: {
        name: `okstra_${request.role.replace(/-/g, "_")}_result`,
        schema: strictJsonSchema(request.resultSchema),
        strict: true,
      },
    },
    max_completion_tokens: MAX_OUTPUT_TOKENS,
  };
}

/** One Chat Completions call and its answer; shared with `openai-compatible`, which differs only in where it connects. */
export async function chatCompletionAnswer(call: ProviderCall, client: OpenAI): Promise<ProviderAnswer> {
  let completion: OpenAI.ChatCompletion;
  try {
    completion = await client.chat.completions.create(openaiRequest(call), { signal: call.signal });
  } catch (error) {
    return apiFailure(error, `POST ${client.baseURL}/chat/completions model=${call.model}`);
  }
  const transcript = JSON.stringify(completion, null, 2);
  const usage: TokenUsage = {
    inputTokens: completion.usage?.prompt_tokens ?? 0,
    outputTokens: completion.usage?.completion_tokens ?? 0,
    cachedInputTokens: completion.usage?.prompt_tokens_details?.cached_tokens ?? 0,
  };
  const message = completion.choices[0]?.message;
  if (message?.refusal)
    return { kind: "answer", unreadable: `the model refused: ${message.refusal}`, usage, transcript };
  const content = message?.content ?? "";
  try {
    return { kind: "answer", document: dropNulls(JSON.parse(content)), usage, transcript };
  } catch {
    // A compatible server without structured outputs may fence its JSON or wrap it in a sentence.
    const parsed = jsonFromModelText(content);
    if (parsed.ok) return { kind: "answer", document: dropNulls(parsed.value), usage, transcript };
    const finish = completion.choices[0]?.finish_reason;
    return {
      kind: "answer",
      unreadable: `the answer is not JSON (finish_reason: ${finish}): ${parsed.error}`,
      usage,
      transcript,
    };
  }
}

export const openaiProvider: WorkerProvider = {
  name: "openai",
  async invoke(call: ProviderCall): Promise<ProviderAnswer> {
    const key = apiKey(call, "OPENAI_API_KEY");
    if ("answer" in key) return key.answer;
    const client = new OpenAI({
      apiKey: key.key,
      baseURL: call.spec.baseUrl,
      fetch: retryingFetch(call.httpRetry),
      maxRetries: 0,
      timeout: sdkTimeoutMs(call),
    });
    return chatCompletionAnswer(call, client);
  },
};
