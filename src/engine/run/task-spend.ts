import type { Ledger, TaskSpend } from "../../ledger/index.js";

/**
 * What the task's earlier runs spent, from their run.json files: the seed of
 * a new run's budget meter, so `budgets.taskUsd` counts every run of the task.
 */
export async function readTaskSpend(ledger: Ledger, issue: number): Promise<TaskSpend> {
  return (await ledger.runs(issue)).spend;
}
