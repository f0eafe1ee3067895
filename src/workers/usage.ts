import { costOf, type Price } from "./prices.js";
import type { TokenUsage, Usage } from "./types.js";

export function zeroUsage(): Usage {
  return { inputTokens: 0, outputTokens: 0, costUsd: 0 };
}

/** `cachedInputTokens` appears once a provider reported a cache read, so a run without any reads the same as before. */
function withCached(usage: Usage, cached: number): Usage {
  return cached > 0 ? { ...usage, cachedInputTokens: cached } : usage;
}

export function addUsage(a: Usage, b: Usage): Usage {
  const sum = {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    costUsd: a.costUsd + b.costUsd,
  };
  return withCached(sum, (a.cachedInputTokens ?? 0) + (b.cachedInputTokens ?? 0));
}

/** A provider's token counts, priced; the cache reads it reported travel along (SPEC §6.5: recorded per run). */
export function pricedUsage(model: string, tokens: TokenUsage, price?: Price): Usage {
  return withCached(
    { inputTokens: tokens.inputTokens, outputTokens: tokens.outputTokens, costUsd: costOf(model, tokens, price) },
    tokens.cachedInputTokens ?? 0,
  );
}

/** Four characters a token: the usual rule of thumb for English text and code. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
