import type { Ledger } from "../../ledger/ledger.js";
import { runManifestSchema } from "../../ledger/files.js";
import { taskPath } from "../../ledger/task-ledger.js";
import type { SpendTotals } from "../../workers/budget.js";

/**
 * What the task's earlier runs spent, from their run.json files: the seed of
 * a new run's budget meter, so `budgets.taskUsd` counts every run of the task.
 */
export async function readTaskSpend(ledger: Ledger, issue: number): Promise<SpendTotals> {
  const view = await ledger.snapshot();
  const totals: SpendTotals = { inputTokens: 0, outputTokens: 0, costUsd: 0, calls: 0 };
  const manifests = view.list(taskPath(issue, "runs/")).filter((path) => /\/runs\/[^/]+\/run\.json$/.test(path));
  for (const path of manifests) {
    const parsed = runManifestSchema.safeParse(JSON.parse((await view.read(path)) ?? "{}"));
    const usage = parsed.success ? (parsed.data.usage as (Partial<SpendTotals> & Record<string, unknown>) | undefined) : undefined;
    if (!usage) continue;
    totals.inputTokens += usage.inputTokens ?? 0;
    totals.outputTokens += usage.outputTokens ?? 0;
    totals.costUsd += usage.costUsd ?? 0;
    totals.calls += typeof usage.calls === "number" ? usage.calls : 0;
  }
  return totals;
}
