import type { ModelTurn, ReportedUsage, ScriptedReply } from "./types.js";

/**
 * OpenAI Responses (`POST /v1/responses`, streamed as SSE by codex) and Chat
 * Completions (`POST /v1/chat/completions`). Shapes from the openai SDK:
 * resources/responses (ResponseStreamEvent: response.created,
 * response.output_item.done, response.completed; ResponseFunctionToolCall;
 * ResponseUsage with input_tokens_details.cached_tokens) and
 * resources/chat/completions (ChatCompletion, ChatCompletionChunk,
 * CompletionUsage.prompt_tokens_details.cached_tokens).
 */

type Item = { type?: string; role?: string; content?: unknown; output?: unknown; text?: string };

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return (content as Item[]).map((part) => (typeof part.text === "string" ? part.text : "")).join("\n");
}

export function readResponsesTurn(body: Record<string, unknown>): ModelTurn {
  const input =
    typeof body.input === "string"
      ? [{ type: "message", role: "user", content: body.input }]
      : ((body.input as Item[] | undefined) ?? []);
  const messages = input.filter((i) => (i.type ?? "message") === "message");
  const userMessages = messages.filter((m) => m.role === "user");
  const toolResults = input
    .filter((i) => i.type === "function_call_output" || i.type === "custom_tool_call_output")
    .map((i) => (typeof i.output === "string" ? i.output : textOf(i.output)));
  return {
    protocol: "openai-responses",
    model: String(body.model),
    system: [
      String(body.instructions ?? ""),
      ...messages.filter((m) => m.role === "developer" || m.role === "system").map((m) => textOf(m.content)),
    ].join("\n"),
    text: [...userMessages.map((m) => textOf(m.content)), ...toolResults].join("\n"),
    firstUserText: userMessages.length ? textOf(userMessages[0].content) : "",
    toolResults,
    tools: ((body.tools as Array<{ name?: string; type: string }> | undefined) ?? []).map((t) => t.name ?? t.type),
    body,
  };
}

function responseUsage(usage: ReportedUsage) {
  return {
    input_tokens: usage.inputTokens,
    input_tokens_details: { cached_tokens: usage.cachedTokens },
    output_tokens: usage.outputTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: usage.inputTokens + usage.outputTokens,
  };
}

export function responsesReply(
  body: Record<string, unknown>,
  reply: Exclude<ScriptedReply, { httpError: number }>,
  usage: ReportedUsage,
  seq: number,
) {
  const output =
    "text" in reply
      ? [
          {
            type: "message",
            id: `msg_${seq}`,
            role: "assistant",
            status: "completed",
            content: [{ type: "output_text", text: reply.text, annotations: [] }],
          },
        ]
      : reply.toolCalls.map((call, i) => ({
          type: "function_call",
          id: `fc_${seq}_${i}`,
          call_id: `call_${seq}_${i}`,
          name: call.name,
          arguments: JSON.stringify(call.input),
          status: "completed",
        }));
  const response = {
    id: `resp_${seq}`,
    object: "response",
    created_at: Math.floor(Date.now() / 1000),
    model: String(body.model),
    status: "completed",
    output,
    usage: responseUsage(usage),
  };
  if (body.stream !== true) return { json: response };
  let sequence = 0;
  const events: unknown[] = [
    {
      type: "response.created",
      response: { ...response, status: "in_progress", output: [], usage: null },
      sequence_number: sequence++,
    },
  ];
  output.forEach((item, output_index) => {
    events.push({ type: "response.output_item.added", output_index, item, sequence_number: sequence++ });
    events.push({ type: "response.output_item.done", output_index, item, sequence_number: sequence++ });
  });
  events.push({ type: "response.completed", response, sequence_number: sequence++ });
  return { sse: events.map((e) => `event: ${(e as { type: string }).type}\ndata: ${JSON.stringify(e)}\n\n`).join("") };
}

export function readChatTurn(body: Record<string, unknown>): ModelTurn {
  const messages = (body.messages as Item[] | undefined) ?? [];
  const users = messages.filter((m) => m.role === "user");
  const toolResults = messages.filter((m) => m.role === "tool").map((m) => textOf(m.content));
  return {
    protocol: "openai-chat",
    model: String(body.model),
    system: messages
      .filter((m) => m.role === "system" || m.role === "developer")
      .map((m) => textOf(m.content))
      .join("\n"),
    text: [...users.map((m) => textOf(m.content)), ...toolResults].join("\n"),
    firstUserText: users.length ? textOf(users[0].content) : "",
    toolResults,
    tools: ((body.tools as Array<{ function?: { name: string } }> | undefined) ?? []).map(
      (t) => t.function?.name ?? "?",
    ),
    body,
  };
}

export function chatReply(
  body: Record<string, unknown>,
  reply: Exclude<ScriptedReply, { httpError: number }>,
  usage: ReportedUsage,
  seq: number,
) {
  const message =
    "text" in reply
      ? { role: "assistant", content: reply.text, refusal: null }
      : {
          role: "assistant",
          content: null,
          refusal: null,
          tool_calls: reply.toolCalls.map((c, i) => ({
            id: `call_${seq}_${i}`,
            type: "function",
            function: { name: c.name, arguments: JSON.stringify(c.input) },
          })),
        };
  const finish = "text" in reply ? "stop" : "tool_calls";
  const u = {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedTokens },
  };
  const base = { id: `chatcmpl-${seq}`, created: Math.floor(Date.now() / 1000), model: String(body.model) };
  if (body.stream !== true)
    return {
      json: {
        ...base,
        object: "chat.completion",
        choices: [{ index: 0, message, finish_reason: finish, logprobs: null }],
        usage: u,
      },
    };
  const chunks = [
    { ...base, object: "chat.completion.chunk", choices: [{ index: 0, delta: message, finish_reason: null }] },
    { ...base, object: "chat.completion.chunk", choices: [{ index: 0, delta: {}, finish_reason: finish }], usage: u },
  ];
  return { sse: `${chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join("")}data: [DONE]\n\n` };
}

export function openaiError(status: number, message: string) {
  return {
    error: { message, type: status === 429 ? "rate_limit_exceeded" : "invalid_request_error", param: null, code: null },
  };
}
