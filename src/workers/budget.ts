import { resolvePrice, type Price } from "./prices.js";
import type { Usage, WorkerRequest } from "./types.js";
import { estimateTokens, zeroUsage } from "./usage.js";

/**
 * Spend per run and per task, and the optional hard budgets of SPEC §6.5
 * (`budgets.runUsd`, `budgets.taskUsd`). The engine creates one meter per run,
 * seeded with what earlier runs of the task spent (from the ledger), passes it
 * to every worker of the run and persists `snapshot()` in run.json.
 *
 * A call is refused *before* it is made when the spend so far, plus what
 * workers running in parallel have reserved, plus this call's estimate would
 * pass a budget — so parallel verifiers cannot together overshoot it.
 */

export interface Budgets {
  runUsd?: number;
  taskUsd?: number;
}

export interface SpendTotals extends Usage {
  calls: number;
}

export interface SpendSnapshot {
  run: SpendTotals;
  task: SpendTotals;
}

export type Reservation = { ok: true; release: () => void } | { ok: false; reason: string };

/**
 * Output tokens assumed for the next call: a typical structured answer. Agent
 * CLIs take several turns and cost more; for them the estimate is a floor, and
 * the real spend recorded afterwards stops the next call instead.
 */
export const EXPECTED_OUTPUT_TOKENS = 4096;

export function estimateCallUsd(
  model: string,
  request: Pick<WorkerRequest, "prompt" | "resultSchema">,
  override?: Price,
): number {
  const { price } = resolvePrice(model, override);
  const inputTokens = estimateTokens(request.prompt) + estimateTokens(JSON.stringify(request.resultSchema));
  return (inputTokens * price.input + EXPECTED_OUTPUT_TOKENS * price.output) / 1_000_000;
}

function totals(seed?: SpendTotals): SpendTotals {
  return seed ? { ...seed } : { ...zeroUsage(), calls: 0 };
}

const usd = (n: number): string => `$${n.toFixed(4)}`;

export class BudgetMeter {
  private readonly run: SpendTotals;
  private readonly task: SpendTotals;
  private reserved = 0;

  constructor(
    private readonly budgets: Budgets = {},
    spent: Partial<SpendSnapshot> = {},
  ) {
    this.run = totals(spent.run);
    this.task = totals(spent.task);
  }

  /** Hold `estimateUsd` for a call about to be made, or say which budget forbids it. */
  reserve(estimateUsd: number, what: string): Reservation {
    const limits: Array<[string, number | undefined, SpendTotals]> = [
      ["budgets.runUsd", this.budgets.runUsd, this.run],
      ["budgets.taskUsd", this.budgets.taskUsd, this.task],
    ];
    for (const [key, limit, spent] of limits) {
      if (limit === undefined) continue;
      if (spent.costUsd + this.reserved + estimateUsd > limit) {
        return {
          ok: false,
          reason:
            `${key} (${usd(limit)}) would be exceeded: ${usd(spent.costUsd)} spent, ` +
            `${usd(this.reserved)} held by running workers, next call (${what}) estimated at ${usd(estimateUsd)}`,
        };
      }
    }
    this.reserved += estimateUsd;
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.reserved -= estimateUsd;
      },
    };
  }

  record(usage: Usage): void {
    for (const t of [this.run, this.task]) {
      t.inputTokens += usage.inputTokens;
      t.outputTokens += usage.outputTokens;
      if (usage.cachedInputTokens) t.cachedInputTokens = (t.cachedInputTokens ?? 0) + usage.cachedInputTokens;
      t.costUsd += usage.costUsd;
      t.calls += 1;
    }
  }

  snapshot(): SpendSnapshot {
    return { run: { ...this.run }, task: { ...this.task } };
  }
}
