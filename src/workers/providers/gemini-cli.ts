import path from "node:path";
import { apiJsonSchema } from "../api-schema.js";
import { packageRoot } from "../render-prompt.js";
import { jsonFromModelText, lastJsonDocument } from "../json-document.js";
import type { ProviderAnswer, ProviderCall, TokenUsage, WorkerProvider } from "../types.js";
import { binaryFor, exitReason, NO_TOKENS, spawnWorker } from "./spawn-worker.js";

/**
 * Gemini CLI, headless: the prompt on stdin, `--prompt` appended to it (the
 * CLI's own rule), `--output-format json`. The CLI has no schema option, so
 * the schema is written into the prompt and zod does the enforcing.
 * `--approval-mode yolo` lets the executor act without asking; other roles
 * run in `plan`, the CLI's read-only mode. `--skip-trust` is needed for
 * either: in an untrusted folder the CLI silently falls back to `default`.
 *
 * Trusting the folder would also apply the clone's own `.gemini/` settings
 * (hooks, MCP servers, extensions) and its `.env`. System settings override
 * workspace settings, so okstra points `GEMINI_CLI_SYSTEM_SETTINGS_PATH` at
 * its own file (agent-settings/gemini-cli-system-settings.json) that turns
 * hooks, MCP servers, extensions, skills, local `.env` files, telemetry and
 * update checks off and selects API-key auth. The CLI refuses a system
 * settings file under a world-writable directory (such as /tmp), which is
 * why it ships with okstra rather than being written per attempt.
 *
 * Output: one JSON object `{ session_id, response, stats, error? }`. See
 * fixtures/workers/bin/gemini for the format and its source.
 */

export const GEMINI_CLI_INSTRUCTION = "Follow the instructions above. Reply with only the JSON result document.";

export function geminiCliArgs(call: Pick<ProviderCall, "request" | "model">): string[] {
  return [
    "--prompt",
    GEMINI_CLI_INSTRUCTION,
    "--output-format",
    "json",
    "--model",
    call.model,
    "--approval-mode",
    call.request.role === "executor" ? "yolo" : "plan",
    "--skip-trust",
  ];
}

export const GEMINI_SYSTEM_SETTINGS = path.join("agent-settings", "gemini-cli-system-settings.json");

export function geminiCliEnv(call: Pick<ProviderCall, "spec">): Record<string, string | undefined> {
  return {
    GEMINI_CLI_SYSTEM_SETTINGS_PATH: path.join(packageRoot(), GEMINI_SYSTEM_SETTINGS),
    GOOGLE_GEMINI_BASE_URL: call.spec.baseUrl,
  };
}

export function geminiCliStdin(call: Pick<ProviderCall, "request">): string {
  const schema = JSON.stringify(apiJsonSchema(call.request.resultSchema), null, 2);
  return `${call.request.prompt}\n\n## Result format\n\nReply with exactly one JSON document that matches this JSON Schema:\n\n\`\`\`json\n${schema}\n\`\`\`\n`;
}

interface GeminiJsonOutput {
  response?: string;
  stats?: {
    models?: Record<string, { tokens?: { prompt?: number; candidates?: number; cached?: number; thoughts?: number } }>;
  };
  error?: { type?: string; message?: string; code?: number | string };
}

function geminiUsage(output: GeminiJsonOutput): TokenUsage {
  const models = Object.values(output.stats?.models ?? {});
  const sum = (pick: (t: NonNullable<(typeof models)[number]["tokens"]>) => number | undefined) =>
    models.reduce((n, m) => n + (pick(m.tokens ?? {}) ?? 0), 0);
  return {
    inputTokens: sum((t) => t.prompt),
    outputTokens: sum((t) => t.candidates) + sum((t) => t.thoughts),
    cachedInputTokens: sum((t) => t.cached),
  };
}

/** With `--output-format json` the CLI prints a failure as a pretty-printed `{ session_id, error }` document on stderr. */
function stderrError(stderr: string): GeminiJsonOutput["error"] | undefined {
  const found = lastJsonDocument(stderr);
  if (!found.ok || typeof found.value !== "object" || found.value === null) return undefined;
  const error = (found.value as GeminiJsonOutput).error;
  return error && (error.message || error.type) ? error : undefined;
}

export const geminiCliProvider: WorkerProvider = {
  name: "gemini-cli",
  async invoke(call: ProviderCall): Promise<ProviderAnswer> {
    const bin = binaryFor(call, "OKSTRA_GEMINI_BIN", "gemini");
    const spawned = await spawnWorker(call, bin, geminiCliArgs(call), geminiCliStdin(call), geminiCliEnv(call));
    if (!spawned.ok) return spawned.answer;
    const { run, transcript } = spawned;
    const found = run.aborted ? undefined : lastJsonDocument(run.stdout);
    const output = found?.ok ? (found.value as GeminiJsonOutput) : undefined;
    const usage = output ? geminiUsage(output) : NO_TOKENS;
    if (output?.error || run.exitCode !== 0 || !output) {
      const error = output?.error ?? stderrError(run.stderr);
      const reason = error
        ? `gemini failed${error.code !== undefined ? ` (code ${error.code})` : ""}: ${error.message ?? error.type}`
        : exitReason("gemini", run);
      return { kind: "failed", reason, retryable: true, usage, transcript };
    }
    const parsed = jsonFromModelText(output.response ?? "");
    return parsed.ok
      ? { kind: "answer", document: parsed.value, usage, transcript }
      : { kind: "answer", unreadable: parsed.error, usage, transcript };
  },
};
