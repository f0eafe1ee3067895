import { readFile } from "node:fs/promises";
import path from "node:path";
import { jsonFromModelText, lastJsonDocument, type Extracted } from "../json-document.js";
import { CommandSyntaxError, splitCommand } from "../split-command.js";
import type { ProviderAnswer, ProviderCall, TokenUsage, WorkerProvider } from "../types.js";
import { exitReason, NO_TOKENS, spawnWorker } from "./spawn-worker.js";

/**
 * The `command` provider: SPEC §12 exactly. Any executable that reads the
 * request JSON on stdin and leaves a result JSON in `$OKSTRA_RESULT` (or as the
 * last JSON document on stdout) and exits 0 is a worker.
 */
export const commandProvider: WorkerProvider = {
  name: "command",
  async invoke(call: ProviderCall): Promise<ProviderAnswer> {
    let argv: string[];
    try {
      argv = splitCommand(call.spec.command ?? "");
    } catch (error) {
      if (!(error instanceof CommandSyntaxError)) throw error;
      return { kind: "failed", reason: error.message, retryable: false, usage: NO_TOKENS, transcript: error.message };
    }
    const [command, ...args] = argv;
    const resultPath = path.join(call.scratchDir, "result.json");
    const { request } = call;
    const spawned = await spawnWorker(call, command, args, JSON.stringify(request), {
      OKSTRA_ROLE: request.role,
      OKSTRA_PHASE: request.phase,
      OKSTRA_TASK: request.task,
      OKSTRA_RUN: request.run,
      OKSTRA_STAGE: request.stage === undefined ? undefined : String(request.stage),
      OKSTRA_RESULT: resultPath,
    });
    if (!spawned.ok) return spawned.answer;
    const { run, transcript } = spawned;
    if (run.aborted || run.exitCode !== 0) {
      return { kind: "failed", reason: exitReason(command, run), retryable: true, usage: NO_TOKENS, transcript };
    }
    const found = (await readResultFile(resultPath)) ?? resultFromStdout(run.stdout);
    if (!found.ok) return { kind: "answer", unreadable: found.error, usage: NO_TOKENS, transcript };
    const { document, usage } = splitUsage(found.value);
    return { kind: "answer", document, usage, transcript };
  },
};

/**
 * The last JSON document on stdout (SPEC §12); failing that, a document a
 * chatty worker fenced in Markdown or wrapped in prose, so a wrapper around
 * a model that "explains" its answer still delivers it.
 */
function resultFromStdout(stdout: string): Extracted {
  const last = lastJsonDocument(stdout);
  if (last.ok) return last;
  const wrapped = jsonFromModelText(stdout);
  return wrapped.ok ? wrapped : last;
}

/** The `$OKSTRA_RESULT` file if the worker wrote one; a file that is there but not JSON is the worker's error, not a cue to read stdout. */
async function readResultFile(file: string): Promise<Extracted | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    return undefined;
  }
  if (text.trim() === "") return undefined;
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, error: `$OKSTRA_RESULT is not JSON: ${(error as Error).message}` };
  }
}

function nonNegative(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** The optional `usage` a command worker may report travels beside the result, never inside it. */
function splitUsage(value: unknown): { document: unknown; usage: TokenUsage } {
  if (typeof value !== "object" || value === null || Array.isArray(value) || !("usage" in value)) {
    return { document: value, usage: NO_TOKENS };
  }
  const { usage, ...document } = value as Record<string, unknown>;
  const reported = (typeof usage === "object" && usage !== null ? usage : {}) as Record<string, unknown>;
  return {
    document,
    usage: {
      inputTokens: nonNegative(reported.inputTokens) ?? 0,
      outputTokens: nonNegative(reported.outputTokens) ?? 0,
      // A command worker is no model okstra knows the price of: it reports its cost or costs nothing.
      costUsd: nonNegative(reported.costUsd) ?? 0,
    },
  };
}
