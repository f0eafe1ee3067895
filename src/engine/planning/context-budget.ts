import { resultJsonSchema } from "../../workers/results.js";
import { renderPrompt, type PromptValues } from "../../workers/render-prompt.js";
import { estimateTokens } from "../../workers/usage.js";
import { analyserResultSchema } from "../../plan/plan-schema.js";

/**
 * The planning context budget (SPEC §13): `planning.contextTokens` (default
 * 40k) bounds the whole analyser request a model reads — its prompt and its
 * result schema — not only the files. What the prompt and schema take
 * without any context is subtracted, and the rest, at ~4 characters a
 * token, is what gatherContext may fill.
 */

/** Kept free for what the estimate cannot see exactly: the list of files left out, line breaks between sections. */
const SLACK = 0.97;

/** Below this the context would be the tree alone: a budget this small is a configuration mistake, not a plan. */
export const MIN_CONTEXT_CHARS = 8_000;

export function contextBudgetChars(contextTokens: number, values: PromptValues): number {
  const withoutContext = renderPrompt("planning-analyser", { ...values, context: "" });
  const overheadTokens =
    estimateTokens(withoutContext) + estimateTokens(JSON.stringify(resultJsonSchema(analyserResultSchema)));
  return Math.max(MIN_CONTEXT_CHARS, Math.floor((contextTokens - overheadTokens) * 4 * SLACK));
}
