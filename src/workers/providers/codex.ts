import { writeFile } from "node:fs/promises";
import path from "node:path";
import { dropNulls, strictJsonSchema } from "../api-schema.js";
import { jsonFromModelText } from "../json-document.js";
import type { ProviderAnswer, ProviderCall, TokenUsage, WorkerProvider } from "../types.js";
import { binaryFor, exitReason, NO_TOKENS, spawnWorker } from "./spawn-worker.js";

/**
 * OpenAI Codex, non-interactive: `codex exec --json … -`, the prompt on stdin.
 * `--output-schema` constrains the final message to the role's schema (in
 * OpenAI's strict dialect), `approval_policy=never` means it never asks, and
 * the sandbox is read-only except for the executor, which writes its clone.
 *
 * Output: JSON Lines of thread events; the result is the last
 * `agent_message` item, usage comes from `turn.completed`. See
 * fixtures/workers/bin/codex for the format and its source.
 */

export function codexArgs(call: Pick<ProviderCall, "request" | "model">, schemaFile: string): string[] {
  return [
    "exec",
    "--json",
    "--model",
    call.model,
    "--sandbox",
    call.request.role === "executor" ? "workspace-write" : "read-only",
    "--config",
    "approval_policy=never",
    "--output-schema",
    schemaFile,
    "--ephemeral",
    "-",
  ];
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
  failure?: string;
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
    if (event.type === "error") run.failure = event.message ?? "error";
  }
  return run;
}

export const codexProvider: WorkerProvider = {
  name: "codex",
  async invoke(call: ProviderCall): Promise<ProviderAnswer> {
    const schemaFile = path.join(call.scratchDir, "result-schema.json");
    await writeFile(schemaFile, JSON.stringify(strictJsonSchema(call.request.resultSchema)), "utf8");
    const bin = binaryFor(call, "OKSTRA_CODEX_BIN", "codex");
    const spawned = await spawnWorker(call, bin, codexArgs(call, schemaFile), call.request.prompt);
    if (!spawned.ok) return spawned.answer;
    const { run, transcript } = spawned;
    const events = readCodexEvents(run.stdout);
    if (run.aborted || run.exitCode !== 0 || events.failure) {
      const reason = events.failure ? `codex failed: ${events.failure}` : exitReason("codex", run);
      return { kind: "failed", reason, retryable: true, usage: events.usage, transcript };
    }
    if (events.lastMessage === undefined) return { kind: "answer", unreadable: "codex produced no agent message", usage: events.usage, transcript };
    const parsed = jsonFromModelText(events.lastMessage);
    if (!parsed.ok) return { kind: "answer", unreadable: parsed.error, usage: events.usage, transcript };
    return { kind: "answer", document: dropNulls(parsed.value), usage: events.usage, transcript };
  },
};
