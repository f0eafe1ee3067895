import Anthropic from "@anthropic-ai/sdk";
import { apiJsonSchema } from "../api-schema.js";
import { retryingFetch } from "../http-retry.js";
import type { ProviderAnswer, ProviderCall, TokenUsage, WorkerProvider } from "../types.js";
import { apiFailure, apiKey, MAX_OUTPUT_TOKENS, sdkTimeoutMs, systemPrompt } from "./api-common.js";

/**
 * The Anthropic Messages API. The result comes back as the input of a single
 * tool whose input_schema is the role's result schema, forced with
 * `tool_choice`, so the model cannot answer in prose.
 *
 * One cache breakpoint, at the end of the prompt's shared context (the
 * issue, the plan or the diff: `request.stablePrefixLength`), not at the end
 * of the whole prompt: the context is what later calls of the run repeat
 * (the next convergence round, the lead's fix round, a contract retry, a
 * re-dispatch), while the role's own text after it is not worth the 1.25×
 * cache-write price. A prompt without a shared context sets no breakpoint.
 * The cached prefix is tools → system → context; the tool carries the role's
 * schema, so calls share it within a role (the system text is the same for
 * all roles).
 */

export const SUBMIT_TOOL = "submit_result";

const EPHEMERAL = { type: "ephemeral" } as const;

export function anthropicRequest(call: ProviderCall): Anthropic.MessageCreateParamsNonStreaming {
  const { request, feedback } = call;
  const prompt =
    feedback === undefined ? request.prompt : request.prompt.slice(0, request.prompt.length - feedback.length);
  const shared = Math.min(request.stablePrefixLength ?? 0, prompt.length);
  const content: Anthropic.TextBlockParam[] =
    shared > 0
      ? [
          { type: "text", text: prompt.slice(0, shared), cache_control: EPHEMERAL },
          ...(shared < prompt.length ? [{ type: "text" as const, text: prompt.slice(shared) }] : []),
        ]
      : [{ type: "text", text: prompt }];
  if (feedback !== undefined) content.push({ type: "text", text: feedback });
  return {
    model: call.model,
    max_tokens: MAX_OUTPUT_TOKENS,
    system: [
      {
        type: "text",
        text: systemPrompt(
          request,
          `Answer only by calling the \`${SUBMIT_TOOL}\` tool once, with your result as its input.`,
        ),
      },
    ],
    tools: [
      {
        name: SUBMIT_TOOL,
        description: `Submit the ${request.role} result. The input must match the schema exactly.`,
        input_schema: apiJsonSchema(request.resultSchema) as { type: "object" },
      },
    ],
    tool_choice: { type: "tool", name: SUBMIT_TOOL },
    messages: [{ role: "user", content }],
  };
}

export const anthropicProvider: WorkerProvider = {
  name: "anthropic",
  async invoke(call: ProviderCall): Promise<ProviderAnswer> {
    const key = apiKey(call, "ANTHROPIC_API_KEY");
    if ("answer" in key) return key.answer;
    const client = new Anthropic({
      apiKey: key.key,
      baseURL: call.spec.baseUrl,
      fetch: retryingFetch(call.httpRetry),
      maxRetries: 0,
      timeout: sdkTimeoutMs(call),
    });
    const body = anthropicRequest(call);
    let message: Anthropic.Message;
    try {
      message = await client.messages.create(body, { signal: call.signal });
    } catch (error) {
      return apiFailure(error, `POST /v1/messages model=${call.model}`);
    }
    const transcript = JSON.stringify(message, null, 2);
    const u = message.usage;
    const cacheRead = u.cache_read_input_tokens ?? 0;
    const cacheWrite = u.cache_creation_input_tokens ?? 0;
    // input_tokens counts only the uncached part of the prompt.
    const usage: TokenUsage = {
      inputTokens: u.input_tokens + cacheRead + cacheWrite,
      outputTokens: u.output_tokens,
      cachedInputTokens: cacheRead,
      cacheWriteTokens: cacheWrite,
    };
    const toolUse = message.content.find((block) => block.type === "tool_use" && block.name === SUBMIT_TOOL);
    if (toolUse?.type !== "tool_use") {
      return {
        kind: "answer",
        unreadable: `the model did not call ${SUBMIT_TOOL} (stop_reason: ${message.stop_reason})`,
        usage,
        transcript,
      };
    }
    return { kind: "answer", document: toolUse.input, usage, transcript };
  },
};
