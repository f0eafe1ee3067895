import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { WorkerSpec } from "../../src/config/schema.js";
import type { HttpRetryPolicy } from "../../src/workers/http-retry.js";
import { executorResultSchema, resultJsonSchema } from "../../src/workers/results.js";
import { runWorker } from "../../src/workers/run-worker.js";
import type { WorkerRequest } from "../../src/workers/types.js";
import type { z } from "zod";

export const FIXTURES = fileURLToPath(new URL("../../fixtures/workers/", import.meta.url));
export const FIXTURE_BIN = path.join(FIXTURES, "bin");

const workspaces: string[] = [];

/** A throwaway working directory standing in for the run's workspace clone; removed by `removeWorkspaces`. */
export function workspace(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "okstra-test-ws-"));
  workspaces.push(dir);
  return dir;
}

export function removeWorkspaces(): void {
  for (const dir of workspaces.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function executorRequest(overrides: Partial<WorkerRequest> = {}): WorkerRequest {
  return workerRequest(executorResultSchema, {
    role: "executor",
    phase: "implementation",
    stage: 2,
    prompt: "Implement stage 2: export the CSV endpoint.",
    input: { stage: { number: 2, title: "Export endpoint" } },
    ...overrides,
  });
}

/** A request of task `issue-12`, run `impl-3`, asking for a result of `schema`. */
export function workerRequest(
  schema: z.ZodType,
  fields: Pick<WorkerRequest, "role" | "phase" | "prompt" | "input"> & Partial<WorkerRequest>,
): WorkerRequest {
  return { task: "issue-12", run: "impl-3", resultSchema: resultJsonSchema(schema), ...fields };
}

/**
 * One call of an API provider (anthropic, openai, gemini), as the engine
 * makes it: the app's environment holds the key, transport retries are
 * recorded instead of waited out.
 */
export function runApiWorker<T>(
  call: { request: WorkerRequest; spec: WorkerSpec; schema: z.ZodType<T> },
  appEnv: NodeJS.ProcessEnv,
  retry = recordingRetry(),
) {
  return runWorker({ ...call, cwd: workspace(), deadlineMs: 30_000, appEnv, httpRetry: retry.policy });
}

export function commandSpec(script: string): WorkerSpec {
  // Quoted, so the test also exercises the argv splitting of paths.
  return { provider: "command", command: `"${process.execPath}" "${path.join(FIXTURES, "command", script)}"` };
}

/** Transport retries that record the delays asked for instead of waiting them out. */
export function recordingRetry(maxRetries = 2): { policy: Partial<HttpRetryPolicy>; delays: number[] } {
  const delays: number[] = [];
  return {
    delays,
    policy: {
      maxRetries,
      sleep: async (ms: number) => {
        delays.push(ms);
      },
    },
  };
}

/** Scripts the answers of a fake agent CLI (fixtures/workers/bin) for the calls made in `dir`. */
export function scriptAnswers(dir: string, answers: unknown[]): void {
  writeFileSync(path.join(dir, "okstra-fixture.json"), JSON.stringify({ answers }));
}

export interface FixtureCall {
  argv: string[];
  env: Record<string, string>;
  stdin: string;
}

export function fixtureCalls(dir: string): FixtureCall[] {
  return readFileSync(path.join(dir, "okstra-fixture-calls.jsonl"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as FixtureCall);
}

/** Secrets a test plants in the App's environment; no worker may see any of them. */
export const PLANTED_SECRETS = {
  GITHUB_TOKEN: "ghs_planted_installation_token",
  PRIVATE_KEY: "-----BEGIN RSA PRIVATE KEY-----planted",
  WEBHOOK_SECRET: "planted-webhook-secret",
  OPENAI_API_KEY: "sk-planted-openai",
  ANTHROPIC_API_KEY: "sk-ant-planted",
  GEMINI_API_KEY: "planted-gemini",
};
