import type { ProviderName } from "../../config/schema.js";
import type { WorkerProvider } from "../types.js";
import { anthropicProvider } from "./anthropic.js";
import { claudeCodeProvider } from "./claude-code.js";
import { codexProvider } from "./codex.js";
import { commandProvider } from "./command.js";
import { geminiCliProvider } from "./gemini-cli.js";
import { geminiProvider } from "./gemini.js";
import { openaiCompatibleProvider } from "./openai-compatible.js";
import { openaiProvider } from "./openai.js";

/**
 * `spec.provider` → its adapter. A record over every provider name, so a new name cannot be left unwired:
 * a new provider is its name in the config schema's `PROVIDERS`, its adapter file here and one line below.
 */
const PROVIDERS: Record<ProviderName, WorkerProvider> = {
  anthropic: anthropicProvider,
  openai: openaiProvider,
  gemini: geminiProvider,
  "claude-code": claudeCodeProvider,
  codex: codexProvider,
  "gemini-cli": geminiCliProvider,
  command: commandProvider,
  "openai-compatible": openaiCompatibleProvider,
};

/** Which adapter runs each `provider:` name of a worker spec. */
export type ProviderRegistry = (name: ProviderName) => WorkerProvider;

/**
 * The built-in adapters, with any of them replaced: an engine test runs an in-process provider under a
 * real name, an operator's build wires its own adapter, and the rest of the worker pipeline (budget,
 * deadlines, retries, validation) stays the same.
 */
export function providerRegistry(replacements: Partial<Record<ProviderName, WorkerProvider>> = {}): ProviderRegistry {
  const providers = { ...PROVIDERS, ...replacements };
  return (name) => providers[name];
}

export const builtInProviders: ProviderRegistry = providerRegistry();

export function providerFor(name: ProviderName, registry: ProviderRegistry = builtInProviders): WorkerProvider {
  return registry(name);
}
