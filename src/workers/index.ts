/**
 * The worker port as the engine uses it:
 *
 *   const budget = new BudgetMeter(config.budgets, { task: spentByEarlierRuns });
 *   const request = buildWorkerRequest({ role, phase, task, run, stage, input, values, schema });
 *   const outcome = await runWorker({ request, spec, schema, cwd, deadlineMs, signal, budget, transcriptDir });
 *   // outcome.status: ok | timeout | contract-violated | failed | budget-exceeded | cancelled
 *   // persist budget.snapshot() in run.json
 */
export { runWorker } from "./run-worker.js";
export { buildWorkerRequest, type RequestParts } from "./build-request.js";
export { BudgetMeter, estimateCallUsd, type Budgets, type SpendSnapshot, type SpendTotals } from "./budget.js";
export { renderPrompt, renderTemplate, placeholdersOf, PromptRenderError, type PromptValues } from "./render-prompt.js";
export { reviewerStance } from "./reviewer-stance.js";
export {
  executorResultSchema,
  findingSchema,
  pilotResultSchema,
  resultJsonSchema,
  reviewerResultSchema,
  verifierResultSchema,
  type ExecutorResult,
  type Finding,
  type PilotResult,
  type ReviewerResult,
  type VerifierResult,
} from "./results.js";
export { DEFAULT_MODELS, modelFor } from "./models.js";
export { PRICES, costOf, priceOf } from "./prices.js";
export { addUsage, zeroUsage } from "./usage.js";
export { ROLES, PHASES, WORKER_STATUSES } from "./types.js";
export type {
  Phase,
  Role,
  Usage,
  WorkerInvocation,
  WorkerOutcome,
  WorkerRequest,
  WorkerStatus,
  Transcript,
  JsonSchema,
} from "./types.js";
export { workerPort, type WorkerPort } from "./port.js";
export { builtInProviders, providerRegistry, type ProviderRegistry } from "./providers/index.js";
