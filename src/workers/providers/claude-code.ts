import { apiJsonSchema } from "../api-schema.js";
import { jsonFromModelText } from "../json-document.js";
import type { ProviderAnswer, ProviderCall, TokenUsage, WorkerProvider } from "../types.js";
import { binaryFor, exitReason, NO_TOKENS, spawnWorker } from "./spawn-worker.js";

/**
 * Claude Code, headless: `claude -p --output-format stream-json --verbose`,
 * the prompt on stdin, the result schema enforced with `--json-schema` (the
 * CLI offers the model a `StructuredOutput` tool with that schema).
 * Flags, from `claude --help` of 2.1.328:
 * - `--tools` is the set of built-in tools the model is *offered*: a
 *   read-only role sees only Read, Glob and Grep — no Bash, Edit, Write or
 *   WebFetch to be refused at call time; only the executor gets Bash, Edit
 *   and Write. `--allowedTools` pre-approves the same set, and
 *   `--permission-mode dontAsk` turns any other permission prompt into a
 *   denial, so the agent never stops to ask.
 * - Nothing the repository controls applies: `--bare` skips hooks, plugin
 *   sync, CLAUDE.md auto-discovery and auto-memory; `--setting-sources user`
 *   reads no project or local settings (`.claude/settings*.json` in the
 *   clone), and the user settings live in the worker's private, empty HOME;
 *   `--strict-mcp-config` without `--mcp-config` starts no MCP server, so the
 *   clone's `.mcp.json` is ignored too.
 *
 * Output (one JSON object per line, the last one `type: "result"`): see
 * fixtures/workers/bin/claude for the format and its sources.
 */

const READ_TOOLS = ["Read", "Glob", "Grep"];
const EXECUTOR_TOOLS = ["Bash", "Edit", "Write", ...READ_TOOLS];

export function claudeArgs(call: Pick<ProviderCall, "request" | "model">): string[] {
  const tools = (call.request.role === "executor" ? EXECUTOR_TOOLS : READ_TOOLS).join(",");
  return [
    "-p",
    "--output-format",
    "stream-json",
    "--verbose",
    "--model",
    call.model,
    "--json-schema",
    JSON.stringify(apiJsonSchema(call.request.resultSchema)),
    "--permission-mode",
    "dontAsk",
    // The `=` form, so a variadic option cannot swallow a following argument.
    `--tools=${tools}`,
    `--allowedTools=${tools}`,
    "--bare",
    "--setting-sources=user",
    "--strict-mcp-config",
    "--no-session-persistence",
  ];
}

/**
 * Documented Claude Code variables: no update checks, telemetry or error
 * reports (nothing but the model API is reached), and the API's base URL
 * when the worker names one (a gateway, or the tests' scripted model server).
 */
export function claudeEnv(call: Pick<ProviderCall, "spec">): Record<string, string | undefined> {
  return {
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    DISABLE_AUTOUPDATER: "1",
    DISABLE_TELEMETRY: "1",
    DISABLE_ERROR_REPORTING: "1",
    ANTHROPIC_BASE_URL: call.spec.baseUrl,
  };
}

interface ModelUsage {
  inputTokens?: number;
  outputTokens?: number;
  cacheReadInputTokens?: number;
  cacheCreationInputTokens?: number;
}

interface ResultMessage {
  type: "result";
  subtype: string;
  is_error?: boolean;
  result?: string;
  errors?: string[];
  total_cost_usd?: number;
  usage?: {
    input_tokens?: number;
    output_tokens?: number;
    cache_read_input_tokens?: number;
    cache_creation_input_tokens?: number;
  };
  modelUsage?: Record<string, ModelUsage>;
  structured_output?: unknown;
}

/** The last `result` message of a stream-json transcript. */
export function lastResultMessage(stdout: string): ResultMessage | undefined {
  let found: ResultMessage | undefined;
  for (const line of stdout.split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      const message = JSON.parse(line) as { type?: unknown };
      if (message.type === "result") found = message as ResultMessage;
    } catch {
      // Not every line of a long run is ours to read; skip what is not JSON.
    }
  }
  return found;
}

/** `modelUsage` covers subagents too (the plain `usage` is the main loop only), so it is preferred. */
function claudeUsage(result: ResultMessage): TokenUsage {
  const models = Object.values(result.modelUsage ?? {});
  const sum = (pick: (m: ModelUsage) => number | undefined) => models.reduce((n, m) => n + (pick(m) ?? 0), 0);
  const u = result.usage ?? {};
  const cached = models.length ? sum((m) => m.cacheReadInputTokens) : (u.cache_read_input_tokens ?? 0);
  const written = models.length ? sum((m) => m.cacheCreationInputTokens) : (u.cache_creation_input_tokens ?? 0);
  const fresh = models.length ? sum((m) => m.inputTokens) : (u.input_tokens ?? 0);
  return {
    inputTokens: fresh + cached + written,
    outputTokens: models.length ? sum((m) => m.outputTokens) : (u.output_tokens ?? 0),
    cachedInputTokens: cached,
    cacheWriteTokens: written,
    costUsd: result.total_cost_usd,
  };
}

export const claudeCodeProvider: WorkerProvider = {
  name: "claude-code",
  async invoke(call: ProviderCall): Promise<ProviderAnswer> {
    const bin = binaryFor(call, "OKSTRA_CLAUDE_BIN", "claude");
    const spawned = await spawnWorker(call, bin, claudeArgs(call), call.request.prompt, claudeEnv(call));
    if (!spawned.ok) return spawned.answer;
    const { run, transcript } = spawned;
    const result = run.aborted ? undefined : lastResultMessage(run.stdout);
    if (!result) {
      const reason = run.exitCode === 0 ? "claude printed no result message" : exitReason("claude", run);
      return { kind: "failed", reason, retryable: true, usage: NO_TOKENS, transcript };
    }
    const usage = claudeUsage(result);
    if (result.subtype === "error_max_structured_output_retries") {
      return {
        kind: "answer",
        unreadable: "claude could not produce output matching the result schema",
        usage,
        transcript,
      };
    }
    if (result.subtype !== "success" || result.is_error) {
      const detail = result.errors?.join("; ") || result.result || "no detail";
      return {
        kind: "failed",
        reason: `claude ended with ${result.subtype}: ${detail}`,
        retryable: true,
        usage,
        transcript,
      };
    }
    if (result.structured_output !== undefined)
      return { kind: "answer", document: result.structured_output, usage, transcript };
    const parsed = jsonFromModelText(result.result ?? "");
    return parsed.ok
      ? { kind: "answer", document: parsed.value, usage, transcript }
      : { kind: "answer", unreadable: parsed.error, usage, transcript };
  },
};
