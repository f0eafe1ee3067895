import type { TokenUsage } from "./types.js";

/**
 * Model prices in USD per million tokens — the one price table.
 *
 * Sources, as read on 2026-11-21 (prices change: update this file, and only
 * this file, when they do):
 * - Anthropic: platform.claude.com/docs/en/about-claude/pricing ("Model
 *   pricing"): base input, 5-minute cache writes (1.25×), cache hits (0.1×),
 *   output.
 * - OpenAI: developers.openai.com/api/docs/pricing (standard tier: input,
 *   cached input, output), as quoted in June 2026.
 * - Google: ai.google.dev/gemini-api/docs/pricing (paid tier, prompts up to
 *   200k tokens; longer prompts cost more and are under-estimated here).
 *   Cached input is the "context caching price" row (implicit caching bills
 *   `cachedContentTokenCount` at it; storage, for explicit caches only, is
 *   not modelled).
 *
 * These figures drive the status comment's cost column and the budget
 * pre-flight check; they are estimates, not invoices.
 */

export interface Price {
  input: number;
  output: number;
  cachedInput?: number;
  cacheWrite?: number;
}

export const PRICES: Record<string, Price> = {
  // Anthropic
  "claude-opus-4-1": { input: 15, output: 75, cachedInput: 1.5, cacheWrite: 18.75 },
  "claude-opus-4-5": { input: 5, output: 25, cachedInput: 0.5, cacheWrite: 6.25 },
  "claude-opus-4-6": { input: 5, output: 25, cachedInput: 0.5, cacheWrite: 6.25 },
  "claude-opus-4-7": { input: 5, output: 25, cachedInput: 0.5, cacheWrite: 6.25 },
  "claude-opus-4-8": { input: 5, output: 25, cachedInput: 0.5, cacheWrite: 6.25 },
  "claude-sonnet-4-5": { input: 3, output: 15, cachedInput: 0.3, cacheWrite: 3.75 },
  "claude-sonnet-4-6": { input: 3, output: 15, cachedInput: 0.3, cacheWrite: 3.75 },
  "claude-haiku-4-5": { input: 1, output: 5, cachedInput: 0.1, cacheWrite: 1.25 },
  // OpenAI
  "gpt-5.5": { input: 5, output: 30, cachedInput: 0.5 },
  "gpt-5.4": { input: 2.5, output: 15, cachedInput: 0.25 },
  "gpt-5.4-mini": { input: 0.75, output: 4.5, cachedInput: 0.075 },
  "gpt-5": { input: 1.25, output: 10, cachedInput: 0.125 },
  // Google
  "gemini-2.5-pro": { input: 1.25, output: 10, cachedInput: 0.125 },
  "gemini-2.5-flash": { input: 0.3, output: 2.5, cachedInput: 0.03 },
};

/**
 * For a model missing from the table and without a configured `price`: the
 * dearest known price, so a budget errs on the side of stopping rather than
 * overspending. It is never applied silently: `resolvePrice` says so.
 */
export const UNKNOWN_MODEL_PRICE: Price = { input: 15, output: 75, cachedInput: 1.5, cacheWrite: 18.75 };

/** The price of a model id; dated snapshots (`claude-sonnet-4-5-20250929`) match their base id. */
export function priceOf(model: string): Price | undefined {
  if (PRICES[model]) return PRICES[model];
  const base = Object.keys(PRICES)
    .filter((id) => model.startsWith(`${id}-`))
    .sort((a, b) => b.length - a.length)[0];
  return base ? PRICES[base] : undefined;
}

export interface ResolvedPrice {
  price: Price;
  /** Where the price came from, in words a maintainer can act on; set whenever it is not the table's own entry. */
  note?: string;
}

/** The price a worker is billed at: its configured `price`, else the table's, else the stated fallback. */
export function resolvePrice(model: string, override?: Price): ResolvedPrice {
  if (override)
    return {
      price: override,
      note: `${model} priced from the worker's configured \`price\` ($${override.input}/$${override.output} per Mtok in/out)`,
    };
  const known = priceOf(model);
  if (known) return { price: known };
  return {
    price: UNKNOWN_MODEL_PRICE,
    note:
      `${model} is not in okstra's price table: estimated at the dearest known price ` +
      `($${UNKNOWN_MODEL_PRICE.input}/$${UNKNOWN_MODEL_PRICE.output} per Mtok in/out); set \`price\` on this worker in .github/okstra.yml for a real figure`,
  };
}

const PER_MILLION = 1_000_000;

/** USD for the tokens of one call; a cost the provider reported itself wins. */
export function costOf(model: string, usage: TokenUsage, override?: Price): number {
  if (usage.costUsd !== undefined) return usage.costUsd;
  const { price } = resolvePrice(model, override);
  const cached = usage.cachedInputTokens ?? 0;
  const written = usage.cacheWriteTokens ?? 0;
  const fresh = Math.max(0, usage.inputTokens - cached - written);
  return (
    (fresh * price.input +
      cached * (price.cachedInput ?? price.input) +
      written * (price.cacheWrite ?? price.input) +
      usage.outputTokens * price.output) /
    PER_MILLION
  );
}
