import type { ProviderName, WorkerSpec } from "../config/schema.js";

/**
 * The model each provider uses when the config names none — the one place
 * these defaults live. Agent CLIs are given the model explicitly too, so a
 * run's cost estimate and its record name the model that actually ran.
 * A `command` worker's model is whatever it is; it is recorded as `command`.
 */
export const DEFAULT_MODELS: Record<ProviderName, string> = {
  anthropic: "claude-sonnet-4-6",
  openai: "gpt-5.4",
  gemini: "gemini-2.5-pro",
  "claude-code": "claude-sonnet-4-6",
  codex: "gpt-5.4",
  "gemini-cli": "gemini-2.5-pro",
  command: "command",
  // The config requires `model` for this provider (there is no vendor default to fall back on).
  "openai-compatible": "unspecified",
};

export function modelFor(spec: WorkerSpec): string {
  return spec.model ?? DEFAULT_MODELS[spec.provider];
}
