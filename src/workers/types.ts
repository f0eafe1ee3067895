import type { z } from "zod";
import type { ProviderName, WorkerSpec } from "../config/schema.js";
import type { Logger } from "../util/log.js";
import type { BudgetMeter } from "./budget.js";
import type { HttpRetryPolicy } from "./http-retry.js";

/**
 * The worker port (SPEC §12): one model invocation in one role. The engine
 * builds a `WorkerRequest`, wraps it in a `WorkerInvocation` and gets back a
 * `WorkerOutcome`; which provider ran it (an API, an agent CLI or a plain
 * command) never changes the shape of either.
 */

export const ROLES = ["analyser", "lead", "plan-reviewer", "executor", "verifier", "reviewer", "pilot"] as const;
export type Role = (typeof ROLES)[number];

export const PHASES = ["planning", "implementation", "verification", "handoff", "discovery", "error-analysis"] as const;
export type Phase = (typeof PHASES)[number];

/** A JSON Schema document (as produced by `z.toJSONSchema`). */
export type JsonSchema = Record<string, unknown>;

/** Exactly what a `command` worker reads on stdin (SPEC §12). */
export interface WorkerRequest {
  role: Role;
  phase: Phase;
  /** Task key, e.g. `issue-12`. */
  task: string;
  /** Run id, e.g. `impl-3`. */
  run: string;
  stage?: number;
  /** Convergence round of a reviewer, 1-based. */
  round?: number;
  /** The rendered prompt text an LLM would receive. */
  prompt: string;
  /**
   * How many characters at the start of `prompt` are the run's shared context
   * (issue, plan, repository context, diff), identical across the run's calls;
   * the role's own text follows. Providers with prompt caching break there.
   */
  stablePrefixLength?: number;
  /** The same context as structured JSON. */
  input: unknown;
  /** JSON Schema of the result this role must return. */
  resultSchema: JsonSchema;
}

export interface WorkerInvocation<T> {
  request: WorkerRequest;
  spec: WorkerSpec;
  /** Validates the result; its failure is a contract violation. */
  schema: z.ZodType<T>;
  /** The run's workspace clone: the worker's working directory. */
  cwd: string;
  /** Per-attempt deadline (`timeouts.workerSeconds` × 1000). */
  deadlineMs: number;
  /** Fires on `/okstra cancel`. */
  signal?: AbortSignal;
  /** Run/task spend and budgets; without one nothing is limited or summed. */
  budget?: BudgetMeter;
  /** When set, each attempt's full transcript is written here. */
  transcriptDir?: string;
  /** Where API keys come from; defaults to `process.env` (the App's environment). */
  appEnv?: NodeJS.ProcessEnv;
  /** Transport retries of API calls (429/5xx); tests shorten them. */
  httpRetry?: Partial<HttpRetryPolicy>;
  log?: Logger;
  /** Which adapter runs each provider name; the built-in ones by default (providers/index.ts). */
  providers?: (name: ProviderName) => WorkerProvider;
}

export const WORKER_STATUSES = [
  "ok",
  "timeout",
  "contract-violated",
  "failed",
  "budget-exceeded",
  "cancelled",
] as const;
export type WorkerStatus = (typeof WORKER_STATUSES)[number];

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  /** Prompt tokens the provider reported as read from its cache (part of `inputTokens`). */
  cachedInputTokens?: number;
  costUsd: number;
}

export interface Transcript {
  /** The end of the last attempt's output, enough to see why it ended. */
  tail: string;
  /** The last attempt's full transcript, when `transcriptDir` was given. */
  path?: string;
}

export interface WorkerOutcome<T> {
  status: WorkerStatus;
  result?: T;
  provider: ProviderName;
  model: string;
  /** Summed over every attempt, failed ones included: they were paid for. */
  usage: Usage;
  /** Dispatches made (re-dispatches and contract retries included; 0 when none was made). */
  attempts: number;
  reason?: string;
  /** Near-miss corrections and dropped entries of the accepted answer (near-miss.ts), so none is silent. */
  notes?: string[];
  /** Set when the cost is not the price table's own figure for the model (a configured price, or the unknown-model fallback). */
  priceNote?: string;
  transcript: Transcript;
  elapsedMs: number;
}

/** Token counts as a provider reports them, before pricing. */
export interface TokenUsage {
  /** All prompt tokens, cached ones included. */
  inputTokens: number;
  outputTokens: number;
  /** Prompt tokens served from a cache (billed at the cache-read price). */
  cachedInputTokens?: number;
  /** Prompt tokens written to a cache (Anthropic bills these above the base price). */
  cacheWriteTokens?: number;
  /** A cost the provider computed itself (agent CLIs, command workers); trusted over the price table. */
  costUsd?: number;
}

/** What one provider attempt needs. `signal` fires on the deadline and on cancel alike. */
export interface ProviderCall {
  request: WorkerRequest;
  /**
   * On a contract retry, the feedback that ends `request.prompt`; a provider
   * with prompt caching keeps the text before it as the cached prefix.
   */
  feedback?: string;
  spec: WorkerSpec;
  model: string;
  cwd: string;
  signal: AbortSignal;
  deadlineMs: number;
  appEnv: NodeJS.ProcessEnv;
  httpRetry: HttpRetryPolicy;
  /** A private directory for this attempt (result file, HOME, schema file); removed afterwards. */
  scratchDir: string;
}

/**
 * One attempt's answer. `answer` carries the document the worker returned
 * (or why none could be read) for runWorker to validate; `failed` is a worker
 * that died, `retryable` false when trying again cannot help (a missing key).
 */
export type ProviderAnswer =
  | { kind: "answer"; document?: unknown; unreadable?: string; usage: TokenUsage; transcript: string }
  | { kind: "failed"; reason: string; retryable: boolean; usage: TokenUsage; transcript: string };

export interface WorkerProvider {
  readonly name: ProviderName;
  invoke(call: ProviderCall): Promise<ProviderAnswer>;
}
