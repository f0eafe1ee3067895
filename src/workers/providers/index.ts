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

/** `spec.provider` → its adapter. A record over every provider name, so a new name cannot be left unwired. */
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

export function providerFor(name: ProviderName): WorkerProvider {
  return PROVIDERS[name];
}
