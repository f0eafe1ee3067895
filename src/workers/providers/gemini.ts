import { GoogleGenAI, type GenerateContentParameters, type GenerateContentResponse } from "@google/genai";
import { apiJsonSchema } from "../api-schema.js";
import { retryingFetch } from "../http-retry.js";
import type { ProviderAnswer, ProviderCall, TokenUsage, WorkerProvider } from "../types.js";
import { apiFailure, apiKey, MAX_OUTPUT_TOKENS, sdkTimeoutMs, systemPrompt } from "./api-common.js";

/**
 * The Gemini API (`models.generateContent`) with a JSON response constrained
 * by `responseMimeType: application/json` and `responseJsonSchema`.
 */

export function geminiRequest(call: ProviderCall): GenerateContentParameters {
  const { request } = call;
  return {
    model: call.model,
    contents: [{ role: "user", parts: [{ text: request.prompt }] }],
    config: {
      systemInstruction: systemPrompt(request, "Answer with the JSON result only."),
      responseMimeType: "application/json",
      responseJsonSchema: apiJsonSchema(request.resultSchema),
      maxOutputTokens: MAX_OUTPUT_TOKENS,
      abortSignal: call.signal,
    },
  };
}

export const geminiProvider: WorkerProvider = {
  name: "gemini",
  async invoke(call: ProviderCall): Promise<ProviderAnswer> {
    const key = apiKey(call, "GEMINI_API_KEY");
    if ("answer" in key) return key.answer;
    const client = new GoogleGenAI({
      apiKey: key.key,
      httpOptions: {
        fetch: retryingFetch(call.httpRetry),
        timeout: sdkTimeoutMs(call),
        ...(call.spec.baseUrl ? { baseUrl: call.spec.baseUrl } : {}),
      },
    });
    let response: GenerateContentResponse;
    try {
      response = await client.models.generateContent(geminiRequest(call));
    } catch (error) {
      return apiFailure(error, `POST models/${call.model}:generateContent`);
    }
    const transcript = JSON.stringify(
      { candidates: response.candidates, usageMetadata: response.usageMetadata, modelVersion: response.modelVersion },
      null,
      2,
    );
    const meta = response.usageMetadata;
    const usage: TokenUsage = {
      inputTokens: meta?.promptTokenCount ?? 0,
      // Thinking tokens are billed as output.
      outputTokens: (meta?.candidatesTokenCount ?? 0) + (meta?.thoughtsTokenCount ?? 0),
      cachedInputTokens: meta?.cachedContentTokenCount ?? 0,
    };
    const text = response.text ?? "";
    try {
      return { kind: "answer", document: JSON.parse(text), usage, transcript };
    } catch (error) {
      const finish = response.candidates?.[0]?.finishReason;
      return {
        kind: "answer",
        unreadable: `the answer is not JSON (finishReason: ${finish}): ${(error as Error).message}`,
        usage,
        transcript,
      };
    }
  },
};
