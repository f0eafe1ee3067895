import { writeFile } from "node:fs/promises";
import path from "node:path";
import { dropNulls, strictJsonSchema } from "../api-schema.js";
import { jsonFromModelText } from "../json-document.js";
import type { ProviderAnswer, ProviderCall, TokenUsage, WorkerProvider } from "../types.js";
import { binaryFor, exitReason, spawnWorker } from "./spawn-worker.js";

/**
 * OpenAI Codex, non-interactive: `codex exec --json … -`, the prompt on stdin.
 * Flags, from `codex exec --help` of 0.169.0 and the Codex configuration
 * reference (developers.openai.com/codex/config-reference):
 * - `--output-schema` constrains the final message to the role's schema (in
 *   OpenAI's strict dialect); `approval_policy="never"` means it never asks.
 * - Sandbox: read-only roles run in codex's `read-only` sandbox. The executor
 *   runs with `danger-full-access`, because `workspace-write` keeps `.git`
 *   read-only (a protected path) and the executor must commit. This is safe
 *   only because okstra itself runs every worker process inside a bubblewrap
 *   sandbox (run-process.ts) that confines it to its clone; codex's own
 *   sandbox is the inner, redundant layer that is relaxed here.
 * - Nothing the repository controls applies: project `.codex/config.toml`
 *   and hooks load only for trusted projects, and the worker's CODEX_HOME
 *   (its private, empty HOME) trusts none; `--ignore-rules` skips the
 *   project's execpolicy `.rules`; `project_doc_max_bytes=0` keeps AGENTS.md
 *   out of the prompt (okstra gives the conventions itself).
 * - Codex 0.169 reads its key from `CODEX_API_KEY`, not `OPENAI_API_KEY`.
 *
 * Output: JSON Lines of thread events; the result is the last
 * `agent_message` item, usage comes from `turn.completed`. Only
 * `turn.failed` or a non-zero exit fail the run: the CLI emits
 * `{"type":"error"}` events while it reconnects and then finishes normally.
 * See fixtures/workers/bin/codex for the format and its source.
 */

/** The custom model provider a `baseUrl` selects (a gateway, or the tests' scripted model server). */
const CUSTOM_PROVIDER = "okstra";

export function codexArgs(call: Pick<ProviderCall, "request" | "model" | "spec">, schemaFile: string): string[] {
  const args = [
    "exec",
    "--json",
    "--model",
    call.model,
    "--sandbox",
    call.request.role === "executor" ? "danger-full-access" : "read-only",
    "--config",
    'approval_policy="never"',
    "--config",
    'web_search="disabled"',
    "--config",
    "project_doc_max_bytes=0",
    "--ignore-rules",
    "--output-schema",
    schemaFile,
    "--ephemeral",
  ];
  const { baseUrl } = call.spec;
  if (baseUrl) {
    const provider = `model_providers.${CUSTOM_PROVIDER}`;
    args.push(
      "--config",
      `model_provider="${CUSTOM_PROVIDER}"`,
      "--config",
      `${provider}.name="${CUSTOM_PROVIDER}"`,
      "--config",
      `${provider}.base_url=${JSON.stringify(baseUrl)}`,
      "--config",
      `${provider}.env_key="CODEX_API_KEY"`,
      "--config",
      `${provider}.wire_api="responses"`,
      // A gateway speaks HTTP; the Responses WebSocket transport would only fail over to it after retries.
      "--config",
      `${provider}.supports_websockets=false`,
    );
  }
  args.push("-");
  return args;
}

interface CodexEvent {
  type: string;
  item?: { type?: string; text?: string };
  usage?: { input_tokens?: number; cached_input_tokens?: number; output_tokens?: number };
  error?: { message?: string };
  message?: string;
}

export interface CodexRun {
  lastMessage?: string;
  /** Why the turn failed (`turn.failed`): the only event that fails a run. */
  failure?: string;
  /** The last `error` event: a reconnect notice unless the run then produced nothing. */
  lastError?: string;
  usage: TokenUsage;
}

export function readCodexEvents(stdout: string): CodexRun {
  const run: CodexRun = { usage: { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 } };
  for (const line of stdout.split("\n")) {
    if (!line.startsWith("{")) continue;
    let event: CodexEvent;
    try {
      event = JSON.parse(line) as CodexEvent;
    } catch {
      continue;
    }
    if (event.type === "item.completed" && event.item?.type === "agent_message") run.lastMessage = event.item.text;
    if (event.type === "turn.completed" && event.usage) {
      // input_tokens already includes the cached ones (Responses API accounting).
      run.usage.inputTokens += event.usage.input_tokens ?? 0;
      run.usage.cachedInputTokens = (run.usage.cachedInputTokens ?? 0) + (event.usage.cached_input_tokens ?? 0);
      run.usage.outputTokens += event.usage.output_tokens ?? 0;
    }
    if (event.type === "turn.failed") run.failure = event.error?.message ?? "turn failed";
    if (event.type === "error") run.lastError = event.message ?? "error";
  }
  return run;
}

export const codexProvider: WorkerProvider = {
  name: "codex",
  async invoke(call: ProviderCall): Promise<ProviderAnswer> {
    const schemaFile = path.join(call.scratchDir, "result-schema.json");
    await writeFile(schemaFile, JSON.stringify(strictJsonSchema(call.request.resultSchema)), "utf8");
    const bin = binaryFor(call, "OKSTRA_CODEX_BIN", "codex");
    const key = call.appEnv.CODEX_API_KEY || call.appEnv.OPENAI_API_KEY;
    const spawned = await spawnWorker(call, bin, codexArgs(call, schemaFile), call.request.prompt, {
      CODEX_API_KEY: key,
    });
    if (!spawned.ok) return spawned.answer;
    const { run, transcript } = spawned;
    const events = readCodexEvents(run.stdout);
    if (run.aborted || run.exitCode !== 0 || events.failure) {
      const reason = events.failure ? `codex failed: ${events.failure}` : exitReason("codex", run);
      return { kind: "failed", reason, retryable: true, usage: events.usage, transcript };
    }
    if (events.lastMessage === undefined) {
      if (events.lastError)
        return {
          kind: "failed",
          reason: `codex produced no answer; its last error: ${events.lastError}`,
          retryable: true,
          usage: events.usage,
          transcript,
        };
      return { kind: "answer", unreadable: "codex produced no agent message", usage: events.usage, transcript };
    }
    const parsed = jsonFromModelText(events.lastMessage);
    if (!parsed.ok) return { kind: "answer", unreadable: parsed.error, usage: events.usage, transcript };
    return { kind: "answer", document: dropNulls(parsed.value), usage: events.usage, transcript };
  },
};
