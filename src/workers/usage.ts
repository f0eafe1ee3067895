import { costOf } from "./prices.js";
import type { TokenUsage, Usage } from "./types.js";

export function zeroUsage(): Usage {
  return { inputTokens: 0, outputTokens: 0, costUsd: 0 };
}

export function addUsage(a: Usage, b: Usage): Usage {
  return { inputTokens: a.inputTokens + b.inputTokens, outputTokens: a.outputTokens + b.outputTokens, costUsd: a.costUsd + b.costUsd };
}

/** A provider's token counts, priced. */
export function pricedUsage(model: string, tokens: TokenUsage): Usage {
  return { inputTokens: tokens.inputTokens, outputTokens: tokens.outputTokens, costUsd: costOf(model, tokens) };
}

/** Four characters a token: the usual rule of thumb for English text and code. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
