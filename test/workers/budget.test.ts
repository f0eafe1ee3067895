import { afterEach, describe, expect, it } from "@jest/globals";
import { anthropicToolUse } from "../../fixtures/workers/api-responses.js";
import { BudgetMeter, estimateCallUsd, EXPECTED_OUTPUT_TOKENS } from "../../src/workers/budget.js";
import { executorResultSchema } from "../../src/workers/results.js";
import { runWorker } from "../../src/workers/run-worker.js";
import { httpMock } from "../helpers/http-mock.js";
import { commandSpec, executorRequest, recordingRetry, removeWorkspaces, workspace } from "./helpers.js";

const API = "https://api.anthropic.com";
const APP_ENV = { ANTHROPIC_API_KEY: "sk-ant-test-key" };

afterEach(removeWorkspaces);

describe("BudgetMeter", () => {
  it("sums usage per run and per task, the task seeded with earlier runs", () => {
    const meter = new BudgetMeter({}, { task: { inputTokens: 100, outputTokens: 10, costUsd: 0.5, calls: 2 } });
    meter.record({ inputTokens: 1000, outputTokens: 200, costUsd: 0.25 });
    meter.record({ inputTokens: 500, outputTokens: 50, costUsd: 0.125 });
    expect(meter.snapshot()).toEqual({
      run: { inputTokens: 1500, outputTokens: 250, costUsd: 0.375, calls: 2 },
      task: { inputTokens: 1600, outputTokens: 260, costUsd: 0.875, calls: 4 },
    });
  });

  it("refuses a call whose estimate would pass a budget, counting what parallel workers hold", () => {
    const meter = new BudgetMeter({ runUsd: 1 }, { run: { inputTokens: 0, outputTokens: 0, costUsd: 0.5, calls: 1 } });
    const first = meter.reserve(0.3, "verifier on anthropic/claude-sonnet-4-6");
    expect(first.ok).toBe(true);
    const second = meter.reserve(0.3, "verifier on openai/gpt-5.4");
    expect(second).toEqual({
      ok: false,
      reason:
        "budgets.runUsd ($1.0000) would be exceeded: $0.5000 spent, $0.3000 held by running workers, next call (verifier on openai/gpt-5.4) estimated at $0.3000",
    });
    if (first.ok) first.release();
    expect(meter.reserve(0.3, "again").ok).toBe(true);
  });

  it("applies the task budget across runs", () => {
    const meter = new BudgetMeter(
      { taskUsd: 2 },
      { task: { inputTokens: 0, outputTokens: 0, costUsd: 1.99, calls: 9 } },
    );
    const refused = meter.reserve(0.02, "pilot on anthropic/claude-sonnet-4-6");
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.reason).toMatch(/^budgets\.taskUsd \(\$2\.0000\) would be exceeded: \$1\.9900 spent/);
  });

  it("estimates a call from the prompt size and the model's price", () => {
    const request = { prompt: "x".repeat(40_000), resultSchema: {} };
    // 10,000 prompt tokens + "{}" (1 token) at $3/M, plus the expected answer at $15/M.
    expect(estimateCallUsd("claude-sonnet-4-6", request)).toBeCloseTo(
      (10_001 * 3 + EXPECTED_OUTPUT_TOKENS * 15) / 1e6,
      12,
    );
  });
});

describe("budgets in runWorker", () => {
  it("makes no call when the run budget is nearly spent, and says why", async () => {
    const budget = new BudgetMeter(
      { runUsd: 5 },
      { run: { inputTokens: 0, outputTokens: 0, costUsd: 4.99, calls: 12 } },
    );

    // No HTTP mock is declared: a request would fail the test.
    const outcome = await runWorker({
      request: executorRequest(),
      spec: { provider: "anthropic" },
      schema: executorResultSchema,
      cwd: workspace(),
      deadlineMs: 30_000,
      budget,
      appEnv: APP_ENV,
    });

    expect(outcome).toMatchObject({
      status: "budget-exceeded",
      attempts: 0,
      usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 },
    });
    expect(outcome.reason).toMatch(
      /^budgets\.runUsd \(\$5\.0000\) would be exceeded: \$4\.9900 spent, \$0\.0000 held by running workers, next call \(executor on anthropic\/claude-sonnet-4-6\) estimated at \$0\.06/,
    );
    expect(budget.snapshot().run.calls).toBe(12);
  });

  it("stops before a contract retry once the first call's real cost leaves too little", async () => {
    const request = executorRequest();
    const budget = new BudgetMeter({ runUsd: estimateCallUsd("claude-sonnet-4-6", request) + 0.001 });
    httpMock(API)
      .post("/v1/messages")
      .reply(200, anthropicToolUse({ summary: 42 }));

    const outcome = await runWorker({
      request,
      spec: { provider: "anthropic" },
      schema: executorResultSchema,
      cwd: workspace(),
      deadlineMs: 30_000,
      budget,
      appEnv: APP_ENV,
      httpRetry: recordingRetry().policy,
    });

    expect(outcome.status).toBe("budget-exceeded");
    expect(outcome.attempts).toBe(1);
    expect(outcome.usage.costUsd).toBeGreaterThan(0);
    expect(budget.snapshot().run).toMatchObject({ calls: 1, costUsd: outcome.usage.costUsd });
  });

  it("records a command worker's reported cost on the meter", async () => {
    const budget = new BudgetMeter({ runUsd: 10 });
    const outcome = await runWorker({
      request: executorRequest(),
      spec: commandSpec("result-file.mjs"),
      schema: executorResultSchema,
      cwd: workspace(),
      deadlineMs: 20_000,
      budget,
    });
    expect(outcome.status).toBe("ok");
    expect(budget.snapshot().run).toEqual({ inputTokens: 1200, outputTokens: 300, costUsd: 0.0042, calls: 1 });
  });
});
