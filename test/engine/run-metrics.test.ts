import { afterEach, describe, expect, it } from "@jest/globals";
import path from "node:path";
import { runCommandLine } from "../../src/cli/run-command.js";
import { openLocalServices } from "../../src/cli/local-services.js";
import { FIXTURES_DIR } from "../../src/cli/sample-repository.js";
import { executeCommand } from "../../src/engine/execute-command.js";
import { onPullRequestClosed } from "../../src/engine/handoff/pull-request-closed.js";
import type { ReverifyJob } from "../../src/queue/types.js";
import { createMetrics, type OkstraMetrics } from "../../src/server/metrics.js";
import { silentLogger } from "../../src/util/log.js";
import { createLocalRepo, planningWorker, type LocalRepo } from "../helpers/local-repo.js";

let repo: LocalRepo;
afterEach(async () => {
  await repo?.dispose();
});

/** `okstra run` on the sample repository, counting into `metrics`. */
async function run(comment: string, metrics: OkstraMetrics, actor = "maintainer"): Promise<number> {
  const args = [
    comment,
    "--repo",
    repo.dir,
    "--issue",
    "1",
    "--issue-file",
    path.join(FIXTURES_DIR, "sample-issue.md"),
    "--actor",
    actor,
  ];
  return runCommandLine(args, { stdout: () => {}, stderr: () => {} }, { metrics, log: silentLogger });
}

/** The value of one sample in the registry's Prometheus text, or undefined when it is absent. */
async function sample(
  metrics: OkstraMetrics,
  name: string,
  labels: Record<string, string>,
): Promise<number | undefined> {
  const text = await metrics.registry.metrics();
  const selector = `${name}{${Object.entries(labels)
    .map(([key, value]) => `${key}="${value}"`)
    .join(",")}}`;
  const line = text.split("\n").find((l) => l.startsWith(`${selector} `));
  return line === undefined ? undefined : Number(line.slice(selector.length + 1));
}

interface WorkerFile {
  role: string;
  provider: string;
  elapsedMs: number;
  usage: { costUsd: number };
}

async function workerFiles(run: string): Promise<WorkerFile[]> {
  const files = (await repo.ledgerFiles()).filter((f) => f.startsWith(`tasks/1/runs/${run}/workers/`));
  return Promise.all(files.map(async (f) => JSON.parse(await repo.ledgerFile(f)) as WorkerFile));
}

describe("okstra_runs_total and the worker metrics, counted by the engine", () => {
  it("counts a plan run once as carried out, and each worker call's wall time and reported cost by provider and role", async () => {
    repo = await createLocalRepo();
    await repo.commitFile(
      ".github/okstra.yml",
      [
        "workers:",
        `  lead: ${planningWorker("--lead good --cost 0.5")}`,
        "  analysers:",
        `    - ${planningWorker("--draft full --review agree --cost 0.25")}`,
        `    - ${planningWorker("--draft full --review agree --cost 0.25")}`,
      ].join("\n"),
    );
    const metrics = createMetrics();

    expect(await run("/okstra plan", metrics)).toBe(0);

    expect(await metrics.registry.metrics()).toContain('okstra_runs_total{phase="plan",outcome="carried-out"} 1');
    const text = await metrics.registry.metrics();
    expect(text.match(/^okstra_runs_total\{/gm)).toHaveLength(1);

    // What the ledger recorded of each call is what the metrics counted: one observation per call, after retries.
    const records = await workerFiles("plan-1");
    const roles = [...new Set(records.map((r) => r.role))].sort();
    expect(roles).toEqual(expect.arrayContaining(["analyser", "lead"]));
    for (const role of roles) {
      const calls = records.filter((r) => r.role === role);
      expect(calls.every((r) => r.provider === "command")).toBe(true);
      const labels = { provider: "command", role };
      expect(await sample(metrics, "okstra_worker_duration_seconds_count", labels)).toBe(calls.length);
      expect(await sample(metrics, "okstra_worker_duration_seconds_sum", labels)).toBeCloseTo(
        calls.reduce((sum, r) => sum + r.elapsedMs / 1000, 0),
        3,
      );
      expect(await sample(metrics, "okstra_worker_cost_usd_total", labels)).toBeCloseTo(
        calls.reduce((sum, r) => sum + r.usage.costUsd, 0),
        6,
      );
    }
    // Two analysers drafting at $0.25 each, one lead at $0.50: the recorded usage, not an estimate.
    expect(records.filter((r) => r.role === "analyser")).toHaveLength(2);
    expect(await sample(metrics, "okstra_worker_cost_usd_total", { provider: "command", role: "analyser" })).toBe(0.5);
    expect(await sample(metrics, "okstra_worker_cost_usd_total", { provider: "command", role: "lead" })).toBe(0.5);
    // Labels never name the repository, the issue or a commit.
    expect(text).not.toMatch(/okstra_(runs|worker)_[a-z_]*\{[^}]*(repo|issue|task|sha)=/);
  });

  it("counts a refused command once as refused under its verb — a permission refusal and a malformed command included", async () => {
    repo = await createLocalRepo();
    await repo.setPermissions({ reader: "read" });
    const metrics = createMetrics();

    expect(await run("/okstra plan", metrics, "reader")).toBe(1);
    expect(await run("/okstra frobnicate", metrics)).toBe(1);
    expect(await run("/okstra approve", metrics)).toBe(1); // nothing to approve yet: the verb refuses
    expect(await run("/okstra help", metrics)).toBe(0);

    const text = await metrics.registry.metrics();
    expect(text).toContain('okstra_runs_total{phase="plan",outcome="refused"} 1');
    expect(text).toContain('okstra_runs_total{phase="invalid",outcome="refused"} 1');
    expect(text).toContain('okstra_runs_total{phase="approve",outcome="refused"} 1');
    expect(text).toContain('okstra_runs_total{phase="help",outcome="carried-out"} 1');
    expect(text.match(/^okstra_runs_total\{/gm)).toHaveLength(4);
    // No worker ran.
    expect(text).not.toMatch(/^okstra_worker_duration_seconds_count\{/m);
  });

  it("counts a planning run whose plan never validates as failed", async () => {
    repo = await createLocalRepo();
    await repo.commitFile(
      ".github/okstra.yml",
      [
        "workers:",
        `  lead: ${planningWorker("--lead always-bad")}`,
        "  analysers:",
        `    - ${planningWorker("--draft full --review agree")}`,
      ].join("\n"),
    );
    const metrics = createMetrics();

    expect(await run("/okstra plan", metrics)).toBe(1);

    const text = await metrics.registry.metrics();
    expect(text).toContain('okstra_runs_total{phase="plan",outcome="failed"} 1');
    expect(text).not.toContain('outcome="carried-out"');
  });

  it("counts a re-verification from a check run as phase reverify, and a closed pull request okstra ignores as ignored", async () => {
    repo = await createLocalRepo();
    await repo.setPermissions({ reader: "read" });
    const services = await openLocalServices(repo.dir, "maintainer", { log: silentLogger });
    const metrics = createMetrics();
    const job: ReverifyJob = {
      kind: "reverify",
      deliveryId: "delivery-1",
      repo: services.platform.repo,
      issueNumber: 1,
      checkRun: { id: 7, action: "rerequested", headSha: "0".repeat(40), stage: 1, run: "verify-1" },
      sender: "reader",
      receivedAt: new Date().toISOString(),
    };
    await services.local.createIssue({ number: 1, title: "Export CSV", body: "", author: "maintainer" });

    expect((await executeCommand(job, { ...services, metrics })).result).toBe("refused");
    const closed = await onPullRequestClosed(
      { number: 3, head: "feature", base: "main", merged: false },
      { ...services, metrics },
    );
    expect(closed.action).toBe("ignored");

    const text = await metrics.registry.metrics();
    expect(text).toContain('okstra_runs_total{phase="reverify",outcome="refused"} 1');
    expect(text).toContain('okstra_runs_total{phase="pull-request-closed",outcome="ignored"} 1');
  });
});
