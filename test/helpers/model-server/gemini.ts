import type { ModelTurn, ReportedUsage, ScriptedReply } from "./types.js";

/**
 * Gemini `models/{model}:generateContent` and `:streamGenerateContent?alt=sse`.
 * Shapes from @google/genai: GenerateContentResponse (candidates[].content.parts
 * with text or functionCall, finishReason) and
 * GenerateContentResponseUsageMetadata (promptTokenCount,
 * candidatesTokenCount, cachedContentTokenCount, totalTokenCount).
 */

type Part = { text?: string; functionResponse?: { name?: string; response?: unknown }; thought?: boolean };
type Content = { role?: string; parts?: Part[] };

function textOf(content: Content | undefined): string {
  return (content?.parts ?? []).map((p) => p.text ?? "").join("\n");
}

export function readGeminiTurn(body: Record<string, unknown>, model: string): ModelTurn {
  const contents = (body.contents as Content[] | undefined) ?? [];
  const toolResults: string[] = [];
  for (const c of contents)
    for (const p of c.parts ?? [])
      if (p.functionResponse) toolResults.push(JSON.stringify(p.functionResponse.response));
  const users = contents.filter((c) => c.role === "user" && (c.parts ?? []).some((p) => p.text !== undefined));
  const declarations = (
    (body.tools as Array<{ functionDeclarations?: Array<{ name: string }> }> | undefined) ?? []
  ).flatMap((t) => t.functionDeclarations ?? []);
  return {
    protocol: "gemini",
    model,
    system: textOf(body.systemInstruction as Content | undefined),
    text: [...users.map(textOf), ...toolResults].join("\n"),
    firstUserText: users.length ? textOf(users[0]) : "",
    toolResults,
    tools: declarations.map((d) => d.name),
    body,
  };
}

export function geminiReply(
  reply: Exclude<ScriptedReply, { httpError: number }>,
  usage: ReportedUsage,
  model: string,
  stream: boolean,
) {
  const parts =
    "text" in reply
      ? [{ text: reply.text }]
      : reply.toolCalls.map((c) => ({ functionCall: { name: c.name, args: c.input } }));
  const response = {
    candidates: [{ content: { role: "model", parts }, finishReason: "STOP", index: 0 }],
    usageMetadata: {
      promptTokenCount: usage.inputTokens,
      candidatesTokenCount: usage.outputTokens,
      cachedContentTokenCount: usage.cachedTokens,
      totalTokenCount: usage.inputTokens + usage.outputTokens,
    },
    modelVersion: model,
  };
  return stream ? { sse: `data: ${JSON.stringify(response)}\n\n` } : { json: response };
}

export function geminiError(status: number, message: string) {
  return {
    error: {
      code: status,
      message,
      status: status === 429 ? "RESOURCE_EXHAUSTED" : status >= 500 ? "INTERNAL" : "INVALID_ARGUMENT",
    },
  };
}
