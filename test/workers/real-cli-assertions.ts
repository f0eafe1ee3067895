import { expect } from "@jest/globals";
import type { WorkerRecord } from "../../src/engine/run/invoke-worker.js";
import { git } from "../../src/util/git.js";
import { commitSubjects, reportedUsage, type RealCli, type RealCliRun } from "./real-cli.js";

/**
 * What every real-CLI end-to-end test shows: the stage is done with the
 * model's two commits, okstra ran the stage's validation itself, the
 * verifier's structured finding reached the verification record, and the
 * usage each worker reported is in the ledger's run files.
 */
export async function expectStageCompleted(
  run: RealCliRun,
  implement: { code: number; stdout: string; stderr: string },
  cli: RealCli,
) {
  const { repo, server } = run;
  const worker = async (runId: string, label: string): Promise<WorkerRecord> =>
    JSON.parse(await repo.ledgerFile(`tasks/1/runs/${runId}/workers/${label}.json`));
  if (implement.code !== 0) {
    const files = (await repo.ledgerFiles()).filter((f) => f.includes("/runs/impl-1/workers/"));
    const records = await Promise.all(files.map(async (f) => `${f}\n${await repo.ledgerFile(f)}`));
    const report = await repo.ledgerFile("tasks/1/runs/impl-1/report.md").catch(() => "");
    const toolResults =
      server
        .turns()
        .at(-1)
        ?.turn?.toolResults.map((r) => r.slice(0, 1500)) ?? [];
    throw new Error(
      `implement failed (${implement.code}):\n${implement.stdout}\n${records.join("\n")}\n${report}\nlast tool results:\n${toolResults.join("\n---\n")}`,
    );
  }
  const task = JSON.parse(await repo.ledgerFile("tasks/1/task.json"));

  // The commits the model made through the CLI's shell tool, with okstra's trailers.
  expect(await commitSubjects(repo, `${task.implementationBaseCommit}..okstra/1/s1`)).toEqual([
    "test(csv): escaping of fields and rows",
    "feat(csv): RFC 4180 field and row encoding",
  ]);
  const head = (await git(["rev-parse", "okstra/1/s1"], { cwd: repo.dir })).stdout.trim();
  const rows = (await repo.ledgerFile("tasks/1/ledger.jsonl"))
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  expect(rows.find((r) => r.status === "done" && r.stage === 1)).toMatchObject({ headCommit: head });

  // okstra ran the stage's validation itself, and recorded it.
  const carry = JSON.parse(await repo.ledgerFile("tasks/1/carry/stage-1.json"));
  expect(carry.validation).toEqual(
    expect.arrayContaining([expect.objectContaining({ phase: "post", command: "npm test", exitCode: 0 })]),
  );
  expect(carry.worker).toMatchObject({ provider: cli });

  // The executor's usage is what the CLI reported for the model calls it made.
  const executor = await worker("impl-1", `executor-s1-${cli}`).catch(async () => {
    const files = (await repo.ledgerFiles()).filter((f) => f.startsWith("tasks/1/runs/impl-1/workers/"));
    return worker(
      "impl-1",
      files[0]!
        .split("/")
        .pop()!
        .replace(/\.json$/, ""),
    );
  });
  expect(executor).toMatchObject({ status: "ok", provider: cli });
  const served = reportedUsage(server, "executor");
  expect(served.requests).toBeGreaterThanOrEqual(4);
  expect(executor.usage.inputTokens).toBe(served.inputTokens);
  expect(executor.usage.outputTokens).toBeGreaterThanOrEqual(served.outputTokens);
  expect(executor.usage.costUsd).toBeGreaterThan(0);
  const implRun = JSON.parse(await repo.ledgerFile("tasks/1/runs/impl-1/run.json"));
  expect(implRun.usage.inputTokens).toBe(executor.usage.inputTokens);
  expect(implRun.usage.costUsd).toBeCloseTo(executor.usage.costUsd, 10);
  // The cache reads the CLI reported, summed per run.
  expect(implRun.usage.cachedInputTokens ?? 0).toBe(executor.usage.cachedInputTokens ?? 0);

  // The verifier's structured finding, recorded with its usage.
  const convergence = JSON.parse(await repo.ledgerFile("tasks/1/runs/verify-1/convergence.json"));
  expect(convergence.findings).toEqual([
    expect.objectContaining({ id: "V1-F-1", stage: 1, severity: "minor", claim: expect.stringContaining("csvRow") }),
  ]);
  const verifyFiles = (await repo.ledgerFiles()).filter((f) => f.startsWith("tasks/1/runs/verify-1/workers/"));
  const verifier = JSON.parse(await repo.ledgerFile(verifyFiles[0]!)) as WorkerRecord;
  expect(verifier).toMatchObject({ status: "ok", provider: cli });
  if (cli !== "claude-code") expect(verifier.notes).toEqual(['F-1: severity "Minor" read as "minor"']);
  expect(verifier.usage.inputTokens).toBe(reportedUsage(server, "verifier").inputTokens);
  const verifyRun = JSON.parse(await repo.ledgerFile("tasks/1/runs/verify-1/run.json"));
  expect(verifyRun.usage.costUsd).toBeGreaterThan(0);
  // Every request the CLI sent to its base URL was a model call the server knows (no stray telemetry or update check there).
  expect(
    server.requests
      .filter((r) => !r.turn && !/count_?[tT]okens|countTokens/.test(r.path))
      .map((r) => `${r.method} ${r.path}`),
  ).toEqual([]);
  return { executor, verifier };
}
