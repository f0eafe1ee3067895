/**
 * The scripted model server's vocabulary, the same for every wire protocol:
 * each model request is read into a `ModelTurn`, the test's script answers it
 * with a `ScriptedReply`, and the protocol module encodes that reply the way
 * the real API would (checked against the SDK types in node_modules).
 */

export type WireProtocol = "anthropic-messages" | "openai-responses" | "openai-chat" | "gemini";

export interface ModelTurn {
  protocol: WireProtocol;
  model: string;
  /** System / developer instructions, joined. */
  system: string;
  /** Every user-visible text of the conversation so far (user messages and tool results), joined. */
  text: string;
  /** The first user message alone: the prompt the CLI was given. */
  firstUserText: string;
  /** Tool results seen so far in the conversation: the step an agent loop is at. */
  toolResults: string[];
  /** Names of the tools the client offered. */
  tools: string[];
  /** The request body as sent. */
  body: Record<string, unknown>;
}

export interface ToolCall {
  name: string;
  input: Record<string, unknown>;
}

export type ScriptedReply = { text: string } | { toolCalls: ToolCall[] } | { httpError: number; message: string };

export type Script = (turn: ModelTurn) => ScriptedReply;

/** Token counts the server reports for one reply. */
export interface ReportedUsage {
  inputTokens: number;
  outputTokens: number;
  /** Part of `inputTokens` that repeats byte for byte the start of an earlier request (what a provider cache would serve). */
  cachedTokens: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  turn?: ModelTurn;
  reply?: ScriptedReply;
  usage?: ReportedUsage;
}
