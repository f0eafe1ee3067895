import http from "node:http";
import type { AddressInfo } from "node:net";
import { anthropicError, anthropicReply, readAnthropicTurn } from "./anthropic.js";
import { geminiError, geminiReply, readGeminiTurn } from "./gemini.js";
import { chatReply, openaiError, readChatTurn, readResponsesTurn, responsesReply } from "./openai.js";
import type { ModelTurn, RecordedRequest, ReportedUsage, Script, ScriptedReply } from "./types.js";

export type { ModelTurn, RecordedRequest, Script, ScriptedReply, ToolCall } from "./types.js";

/**
 * A scripted model server on loopback that speaks each provider's wire
 * protocol, so the REAL agent CLIs (claude, codex, gemini) and the SDK-based
 * providers can run against it: the test's script decides each reply from
 * what the client sent (the prompt, the tools offered, the tool results so
 * far). Every request is recorded for assertions.
 *
 * Reported usage is honest arithmetic, not a constant: input tokens are the
 * request's characters / 4, and the cached part is the longest byte-for-byte
 * prefix this request shares with an earlier one — what a provider's prompt
 * cache could have served.
 */

export interface ModelServer {
  url: string;
  requests: RecordedRequest[];
  /** Requests that reached a model endpoint (not count_tokens, not probes). */
  turns(): RecordedRequest[];
  close(): Promise<void>;
}

const OUTPUT_TOKENS = 40;

function commonPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

type Encoded = { json: unknown } | { sse: string };

interface Route {
  turn: (body: Record<string, unknown>) => ModelTurn;
  encode: (
    body: Record<string, unknown>,
    reply: Exclude<ScriptedReply, { httpError: number }>,
    usage: ReportedUsage,
    seq: number,
  ) => Encoded;
  error: (status: number, message: string) => unknown;
  /** The text the cache comparison runs over: what the provider would hash as the prompt. */
  promptText: (body: Record<string, unknown>) => string;
}

function routeFor(method: string, url: URL): Route | "count-tokens" | undefined {
  if (method !== "POST") return undefined;
  const p = url.pathname;
  if (p.endsWith("/messages/count_tokens")) return "count-tokens";
  if (p.endsWith("/messages")) {
    return {
      turn: readAnthropicTurn,
      encode: anthropicReply,
      error: anthropicError,
      promptText: (b) => JSON.stringify([b.tools, b.system, b.messages]),
    };
  }
  if (p.endsWith("/responses")) {
    return {
      turn: readResponsesTurn,
      encode: responsesReply,
      error: openaiError,
      promptText: (b) => JSON.stringify([b.instructions, b.tools, b.input]),
    };
  }
  if (p.endsWith("/chat/completions")) {
    return {
      turn: readChatTurn,
      encode: chatReply,
      error: openaiError,
      promptText: (b) => JSON.stringify([b.tools, b.messages]),
    };
  }
  const gemini = /\/models\/([^/:]+):(generateContent|streamGenerateContent|countTokens)$/.exec(p);
  if (gemini) {
    const [, model, verb] = gemini;
    if (verb === "countTokens") return "count-tokens";
    const stream = verb === "streamGenerateContent";
    return {
      turn: (b) => readGeminiTurn(b, model),
      encode: (_b, reply, usage) => geminiReply(reply, usage, model, stream),
      error: geminiError,
      promptText: (b) => JSON.stringify([b.systemInstruction, b.tools, b.contents]),
    };
  }
  return undefined;
}

export async function startModelServer(script: Script): Promise<ModelServer> {
  const requests: RecordedRequest[] = [];
  const prompts: string[] = [];
  let seq = 0;
  const server = http.createServer((req, res) => {
    let raw = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (raw += chunk));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const recorded: RecordedRequest = {
        method: req.method ?? "?",
        path: url.pathname + url.search,
        headers: req.headers,
        body: raw,
      };
      requests.push(recorded);
      const route = routeFor(req.method ?? "", url);
      const send = (status: number, payload: Encoded | unknown) => {
        if (payload && typeof payload === "object" && "sse" in payload) {
          res.writeHead(status, { "content-type": "text/event-stream", "cache-control": "no-cache" });
          res.end((payload as { sse: string }).sse);
          return;
        }
        const json =
          payload && typeof payload === "object" && "json" in payload ? (payload as { json: unknown }).json : payload;
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(json));
      };
      if (route === undefined)
        return send(404, { error: { message: `scripted model server: no route for ${req.method} ${url.pathname}` } });
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        return send(400, { error: { message: "scripted model server: the body is not JSON" } });
      }
      if (route === "count-tokens")
        return send(200, { input_tokens: Math.ceil(raw.length / 4), totalTokens: Math.ceil(raw.length / 4) });
      const turn = route.turn(body);
      let reply: ScriptedReply;
      try {
        reply = script(turn);
      } catch (error) {
        reply = { httpError: 500, message: `the test's script threw: ${(error as Error).message}` };
      }
      recorded.turn = turn;
      recorded.reply = reply;
      if ("httpError" in reply) return send(reply.httpError, route.error(reply.httpError, reply.message));
      const prompt = route.promptText(body);
      const shared = prompts.reduce((best, earlier) => Math.max(best, commonPrefix(prompt, earlier)), 0);
      prompts.push(prompt);
      const usage: ReportedUsage = {
        inputTokens: Math.ceil(prompt.length / 4),
        outputTokens: OUTPUT_TOKENS,
        cachedTokens: Math.floor(shared / 4),
      };
      recorded.usage = usage;
      send(200, route.encode(body, reply, usage, ++seq));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    turns: () => requests.filter((r) => r.turn !== undefined),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
