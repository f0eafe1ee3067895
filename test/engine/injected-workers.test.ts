import { afterEach, describe, expect, it } from "@jest/globals";
import { readFileSync } from "node:fs";
import path from "node:path";
import { openLocalServices } from "../../src/cli/local-services.js";
import { postCommand } from "../../src/cli/post-command.js";
import { executeCommand } from "../../src/engine/execute-command.js";
import type { ProviderAnswer, ProviderCall, WorkerProvider } from "../../src/workers/types.js";
import { providerRegistry, workerPort } from "../../src/workers/index.js";
import { FIXTURES_DIR } from "../../src/cli/sample-repository.js";
import { createLocalRepo, PLAN_RECORDING, type LocalRepo } from "../helpers/local-repo.js";

/*
 * `EngineServices.workers` is a port: an engine test runs a phase with workers that answer in-process,
 * under the configured provider names, through the real worker pipeline (budget, deadline, validation,
 * ledger records) — no child process, no recorded `command` script, no HTTP mock.
 */

let repo: LocalRepo | undefined;
afterEach(async () => {
  await repo?.dispose();
  repo = undefined;
});

/** Answers each planning role from the recorded plan, as the calls arrive; keeps what it was asked. */
function inProcessPlanner(name: "anthropic" | "openai", calls: string[]): WorkerProvider {
  const recorded = JSON.parse(readFileSync(path.join(PLAN_RECORDING, "plan.json"), "utf8"));
  return {
    name,
    async invoke(call: ProviderCall): Promise<ProviderAnswer> {
      const { request } = call;
      calls.push(`${name}:${request.role}`);
      const plan = { ...structuredClone(recorded), taskKey: request.task };
      const usage = { inputTokens: Math.ceil(request.prompt.length / 4), outputTokens: 100 };
      const document =
        request.role === "plan-reviewer"
          ? {
              reviews: (request.input as { items: string[] }).items.map((item) => ({
                item,
                verdict: "AGREE",
                evidence: "",
              })),
            }
          : {
              plan:
                request.role === "lead"
                  ? { ...plan, provenance: { analysers: [], gate: "not-run", dissent: [] } }
                  : plan,
            };
      return { kind: "answer", document, usage, transcript: `${request.role} answered in-process` };
    },
  };
}

describe("injected workers", () => {
  it("plans a task with in-process workers given through EngineServices.workers", async () => {
    repo = await createLocalRepo();
    // The default configuration: the lead and one analyser on anthropic, the other analyser on openai.
    const calls: string[] = [];
    const workers = workerPort(
      providerRegistry({ anthropic: inProcessPlanner("anthropic", calls), openai: inProcessPlanner("openai", calls) }),
    );
    const posted = await postCommand(
      repo.dir,
      { kind: "issue", issue: 1, issueFile: path.join(FIXTURES_DIR, "sample-issue.md") },
      "maintainer",
      "/okstra plan",
    );
    const services = await openLocalServices(repo.dir, "maintainer");
    const job = {
      ...posted.job,
      deliveryId: "local-injected",
      repo: services.platform.repo,
      receivedAt: new Date().toISOString(),
    };

    const outcome = await executeCommand(job, { ...services, workers });

    expect(outcome).toMatchObject({ result: "carried-out" });
    expect(calls).toEqual(expect.arrayContaining(["anthropic:analyser", "openai:analyser", "anthropic:lead"]));
    const plan = JSON.parse(await repo.ledgerFile("tasks/1/plan.json"));
    expect(plan.version).toBe(1);
    expect(plan.stages).toHaveLength(4);
    const files = await repo.ledgerFiles();
    const records = files.filter((f) => f.startsWith("tasks/1/runs/plan-1/workers/"));
    expect(records.length).toBeGreaterThanOrEqual(3);
    const lead = JSON.parse(await repo.ledgerFile(records.find((f) => f.includes("lead"))!));
    expect(lead).toMatchObject({
      status: "ok",
      provider: "anthropic",
      transcriptTail: expect.stringContaining("lead answered in-process"),
    });
  });
});
