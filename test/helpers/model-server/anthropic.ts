import type { ModelTurn, ReportedUsage, ScriptedReply } from "./types.js";

/**
 * Anthropic Messages (`POST /v1/messages`), streaming and not. Shapes from
 * @anthropic-ai/sdk resources/messages: Message, RawMessageStreamEvent
 * (message_start, content_block_start/delta/stop, message_delta, message_stop),
 * Usage with cache_read_input_tokens / cache_creation_input_tokens.
 */

type Block = { type: string; text?: string; content?: unknown; name?: string };
type Message = { role: string; content: string | Block[] };

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return (content as Block[])
    .map((b) => (b.type === "text" ? (b.text ?? "") : b.type === "tool_result" ? textOf(b.content) : ""))
    .join("\n");
}

export function readAnthropicTurn(body: Record<string, unknown>): ModelTurn {
  const messages = (body.messages as Message[] | undefined) ?? [];
  const toolResults: string[] = [];
  for (const m of messages) {
    if (Array.isArray(m.content))
      for (const b of m.content) if (b.type === "tool_result") toolResults.push(textOf(b.content));
  }
  const firstUser = messages.find((m) => m.role === "user");
  return {
    protocol: "anthropic-messages",
    model: String(body.model),
    system: textOf(body.system),
    text: messages.map((m) => textOf(m.content)).join("\n"),
    firstUserText: firstUser ? textOf(firstUser.content) : "",
    toolResults,
    tools: ((body.tools as Array<{ name: string }> | undefined) ?? []).map((t) => t.name),
    body,
  };
}

function contentOf(reply: Exclude<ScriptedReply, { httpError: number }>, seq: number): Array<Record<string, unknown>> {
  if ("text" in reply) return [{ type: "text", text: reply.text }];
  return reply.toolCalls.map((call, i) => ({
    type: "tool_use",
    id: `toolu_${seq}_${i}`,
    name: call.name,
    input: call.input,
  }));
}

function usageOf(usage: ReportedUsage, cacheable: boolean) {
  // input_tokens counts only the part of the prompt that was neither read from nor written to the cache.
  const read = cacheable ? usage.cachedTokens : 0;
  const written = cacheable ? usage.inputTokens - read : 0;
  return {
    input_tokens: usage.inputTokens - read - written,
    cache_read_input_tokens: read,
    cache_creation_input_tokens: written,
    output_tokens: usage.outputTokens,
  };
}

/** Whether the request marked a cache breakpoint anywhere (system, tools or messages). */
function hasBreakpoint(body: Record<string, unknown>): boolean {
  return JSON.stringify(body).includes('"cache_control"');
}

export function anthropicReply(
  body: Record<string, unknown>,
  reply: Exclude<ScriptedReply, { httpError: number }>,
  usage: ReportedUsage,
  seq: number,
) {
  const content = contentOf(reply, seq);
  const stopReason = "toolCalls" in reply ? "tool_use" : "end_turn";
  const u = usageOf(usage, hasBreakpoint(body));
  const message = {
    id: `msg_${seq}`,
    type: "message",
    role: "assistant",
    model: String(body.model),
    content,
    stop_reason: stopReason,
    stop_sequence: null,
    usage: u,
  };
  if (body.stream !== true) return { json: message };
  const events: Array<[string, unknown]> = [
    [
      "message_start",
      {
        type: "message_start",
        message: { ...message, content: [], stop_reason: null, usage: { ...u, output_tokens: 1 } },
      },
    ],
  ];
  content.forEach((block, index) => {
    if (block.type === "text") {
      events.push([
        "content_block_start",
        { type: "content_block_start", index, content_block: { type: "text", text: "" } },
      ]);
      events.push([
        "content_block_delta",
        { type: "content_block_delta", index, delta: { type: "text_delta", text: block.text } },
      ]);
    } else {
      events.push([
        "content_block_start",
        { type: "content_block_start", index, content_block: { ...block, input: {} } },
      ]);
      events.push([
        "content_block_delta",
        {
          type: "content_block_delta",
          index,
          delta: { type: "input_json_delta", partial_json: JSON.stringify(block.input) },
        },
      ]);
    }
    events.push(["content_block_stop", { type: "content_block_stop", index }]);
  });
  events.push([
    "message_delta",
    { type: "message_delta", delta: { stop_reason: stopReason, stop_sequence: null }, usage: u },
  ]);
  events.push(["message_stop", { type: "message_stop" }]);
  return { sse: events.map(([event, data]) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`).join("") };
}

export function anthropicError(status: number, message: string) {
  return {
    type: "error",
    error: {
      type: status === 429 ? "rate_limit_error" : status >= 500 ? "api_error" : "invalid_request_error",
      message,
    },
  };
}
