import type { OkstraMetrics } from "../../server/metrics.js";
import type { WorkerOutcome } from "../../workers/types.js";

/**
 * How a job ended, as `okstra_runs_total` counts it: `carried-out`, `refused`
 * or `failed` for a command or a re-verification, `ignored` for a closed pull
 * request that was not one okstra has to act on.
 */
export type RunOutcomeLabel = "carried-out" | "refused" | "failed" | "ignored";

/**
 * Runs `work`, then counts the job once under `phase` with the outcome
 * `outcomeOf` reads from its result — or `failed` when it threw (the queue
 * may try it again; each attempt that ends is counted).
 */
export async function countRun<T>(
  metrics: OkstraMetrics | undefined,
  phase: string,
  work: () => Promise<T>,
  outcomeOf: (result: T) => RunOutcomeLabel,
): Promise<T> {
  let result: T;
  try {
    result = await work();
  } catch (error) {
    metrics?.runsTotal.inc({ phase, outcome: "failed" });
    throw error;
  }
  metrics?.runsTotal.inc({ phase, outcome: outcomeOf(result) });
  return result;
}

/**
 * One worker call, after its retries: wall time and reported cost by
 * provider and role. A call the budget refused before dispatching anything
 * ran no worker and is not counted.
 */
export function countWorker(metrics: OkstraMetrics | undefined, role: string, outcome: WorkerOutcome<unknown>): void {
  if (!metrics || outcome.attempts === 0) return;
  const labels = { provider: outcome.provider, role };
  metrics.workerDurationSeconds.observe(labels, outcome.elapsedMs / 1000);
  metrics.workerCostUsdTotal.inc(labels, outcome.usage.costUsd);
}
