import { afterEach, describe, expect, it } from "@jest/globals";
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import type { ProviderName } from "../../src/config/schema.js";
import { apiJsonSchema, strictJsonSchema } from "../../src/workers/api-schema.js";
import { PROVIDER_KEY_VARS } from "../../src/workers/env.js";
import { executorResultSchema, resultJsonSchema, verifierResultSchema } from "../../src/workers/results.js";
import { runWorker } from "../../src/workers/run-worker.js";
import type { WorkerRequest } from "../../src/workers/types.js";
import {
  executorRequest,
  FIXTURE_BIN,
  fixtureCalls,
  PLANTED_SECRETS,
  removeWorkspaces,
  scriptAnswers,
  workspace,
} from "./helpers.js";

/**
 * The agent-CLI providers against executables that print each real CLI's
 * output format (fixtures/workers/bin/{claude,codex,gemini}, sources cited there).
 */

const APP_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  ...PLANTED_SECRETS,
  OKSTRA_CLAUDE_BIN: path.join(FIXTURE_BIN, "claude"),
  OKSTRA_CODEX_BIN: path.join(FIXTURE_BIN, "codex"),
  OKSTRA_GEMINI_BIN: path.join(FIXTURE_BIN, "gemini"),
};

const SUMMARY = { summary: "added the CSV export endpoint with tests", notes: "kept the old route" };

function verifierRequest(): WorkerRequest {
  return {
    ...executorRequest(),
    role: "verifier",
    phase: "verification",
    stage: undefined,
    resultSchema: resultJsonSchema(verifierResultSchema),
  };
}

/**
 * A read-only role cannot write to its clone inside the sandbox, so the fake
 * CLI could not log its call there: these cases check only the flags okstra
 * passes and run unconfined (the read-only mount is shown in test/security/).
 */
async function unconfined<T>(fn: () => Promise<T>): Promise<T> {
  const before = process.env.OKSTRA_SANDBOX;
  process.env.OKSTRA_SANDBOX = "off";
  try {
    return await fn();
  } finally {
    if (before === undefined) delete process.env.OKSTRA_SANDBOX;
    else process.env.OKSTRA_SANDBOX = before;
  }
}

function run(
  provider: ProviderName,
  cwd: string,
  request: WorkerRequest = executorRequest(),
  appEnv: NodeJS.ProcessEnv = APP_ENV,
) {
  const schema = request.role === "executor" ? executorResultSchema : verifierResultSchema;
  return runWorker({
    request,
    spec: { provider },
    schema: schema as typeof executorResultSchema,
    cwd,
    deadlineMs: 30_000,
    appEnv,
  });
}

/** The agent sees its own provider's key and nothing else of the App's secrets. */
function expectOnlyOwnKey(env: Record<string, string>, provider: ProviderName): void {
  const own = PROVIDER_KEY_VARS[provider]!;
  expect(env[own]).toBe(PLANTED_SECRETS[own as keyof typeof PLANTED_SECRETS]);
  for (const [name, value] of Object.entries(PLANTED_SECRETS)) {
    if (name === own) continue;
    expect(env).not.toHaveProperty(name);
    expect(Object.values(env)).not.toContain(value);
  }
  expect(env.HOME).not.toBe(homedir());
  expect(Object.keys(env).filter((k) => k.startsWith("OKSTRA_"))).toEqual([]);
}

afterEach(removeWorkspaces);

describe("claude-code provider", () => {
  it("runs claude -p with stream-json, the schema and a never-asking permission mode, and reads structured_output", async () => {
    const cwd = workspace();
    scriptAnswers(cwd, [SUMMARY]);

    const outcome = await run("claude-code", cwd);

    expect(outcome).toMatchObject({ status: "ok", attempts: 1, model: "claude-sonnet-4-6", result: SUMMARY });
    // modelUsage: 2048 fresh + 4096 cache reads + 1024 cache writes; the CLI's own cost estimate is kept.
    expect(outcome.usage).toEqual({ inputTokens: 7168, outputTokens: 512, cachedInputTokens: 4096, costUsd: 0.0213 });
    const [call] = fixtureCalls(cwd);
    expect(call.argv).toEqual([
      "-p",
      "--output-format",
      "stream-json",
      "--verbose",
      "--model",
      "claude-sonnet-4-6",
      "--json-schema",
      JSON.stringify(apiJsonSchema(resultJsonSchema(executorResultSchema))),
      "--permission-mode",
      "dontAsk",
      "--tools=Bash,Edit,Write,Read,Glob,Grep",
      "--allowedTools=Bash,Edit,Write,Read,Glob,Grep",
      "--bare",
      "--setting-sources=user",
      "--strict-mcp-config",
      "--no-session-persistence",
    ]);
    // No telemetry, update checks or error reports: the model API is the only thing the CLI may reach.
    expect(call.env).toMatchObject({
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      DISABLE_AUTOUPDATER: "1",
      DISABLE_TELEMETRY: "1",
    });
    expect(call.stdin).toBe(executorRequest().prompt);
    expectOnlyOwnKey(call.env, "claude-code");
  });

  it("gives roles other than the executor read-only tools", async () => {
    const cwd = workspace();
    scriptAnswers(cwd, [{ findings: [] }]);
    const outcome = await unconfined(() => run("claude-code", cwd, verifierRequest()));
    expect(outcome.status).toBe("ok");
    // Offered only the read tools, not offered everything and refused at call time.
    expect(fixtureCalls(cwd)[0].argv).toContain("--tools=Read,Glob,Grep");
    expect(fixtureCalls(cwd)[0].argv).toContain("--allowedTools=Read,Glob,Grep");
  });

  it("reads a JSON answer from the result text and retries a prose one with the feedback", async () => {
    const cwd = workspace();
    scriptAnswers(cwd, ["I made the change; it looks good to me.", "```json\n" + JSON.stringify(SUMMARY) + "\n```"]);

    const outcome = await run("claude-code", cwd);

    expect(outcome).toMatchObject({ status: "ok", attempts: 2, result: SUMMARY });
    const calls = fixtureCalls(cwd);
    expect(calls[1].stdin).toContain("does not match the required result schema");
    expect(calls[1].stdin).toContain("the answer is not JSON");
    expect(outcome.usage.costUsd).toBeCloseTo(0.0426, 10);
  });

  it("re-dispatches an error result once, then records failed with claude's error", async () => {
    const cwd = workspace();
    scriptAnswers(cwd, [{ $error: "API Error: 529 overloaded_error" }]);
    const outcome = await run("claude-code", cwd);
    expect(outcome).toMatchObject({
      status: "failed",
      attempts: 2,
      reason: "claude ended with error_during_execution: API Error: 529 overloaded_error",
    });
  });

  it("fails without re-dispatching when the claude binary is missing", async () => {
    const cwd = workspace();
    const outcome = await run("claude-code", cwd, executorRequest(), {
      ...APP_ENV,
      OKSTRA_CLAUDE_BIN: "/nonexistent/claude",
    });
    expect(outcome).toMatchObject({ status: "failed", attempts: 1 });
    expect(outcome.reason).toMatch(/cannot start \/nonexistent\/claude/);
  });
});

describe("codex provider", () => {
  it("runs codex exec --json with the strict output schema and reads the last agent message", async () => {
    const cwd = workspace();
    scriptAnswers(cwd, [SUMMARY]);

    const outcome = await run("codex", cwd);

    expect(outcome).toMatchObject({ status: "ok", attempts: 1, model: "gpt-5.4", result: SUMMARY });
    expect(outcome.usage.inputTokens).toBe(24763);
    expect(outcome.usage.outputTokens).toBe(688);
    expect(outcome.usage.costUsd).toBeCloseTo(((24763 - 20352) * 2.5 + 20352 * 0.25 + 688 * 15) / 1e6, 10);
    const [call] = fixtureCalls(cwd);
    const schemaAt = call.argv.indexOf("--output-schema");
    expect(call.argv).toEqual([
      "exec",
      "--json",
      "--model",
      "gpt-5.4",
      "--sandbox",
      // workspace-write keeps .git read-only: the executor could not commit. okstra's own bubblewrap sandbox confines it.
      "danger-full-access",
      "--config",
      'approval_policy="never"',
      "--config",
      'web_search="disabled"',
      "--config",
      "project_doc_max_bytes=0",
      "--ignore-rules",
      "--output-schema",
      call.argv[schemaAt + 1],
      "--ephemeral",
      "-",
    ]);
    // Codex 0.169 reads CODEX_API_KEY; okstra hands it the App's OpenAI key under that name.
    expect(call.env.CODEX_API_KEY).toBe(call.env.OPENAI_API_KEY);
    expect(JSON.parse(readFileSync(path.join(cwd, "okstra-fixture-schema.json"), "utf8"))).toEqual(
      strictJsonSchema(resultJsonSchema(executorResultSchema)),
    );
    expect(call.stdin).toBe(executorRequest().prompt);
    expectOnlyOwnKey(call.env, "codex");
  });

  it("keeps the sandbox read-only for a verifier", async () => {
    const cwd = workspace();
    scriptAnswers(cwd, [{ findings: [] }]);
    await unconfined(() => run("codex", cwd, verifierRequest()));
    const argv = fixtureCalls(cwd)[0].argv;
    expect(argv[argv.indexOf("--sandbox") + 1]).toBe("read-only");
  });

  it("does not fail on the error events codex emits while it reconnects, when the turn then completes", async () => {
    const cwd = workspace();
    scriptAnswers(cwd, [{ $reconnects: 2, answer: SUMMARY }]);
    const outcome = await run("codex", cwd);
    expect(outcome).toMatchObject({ status: "ok", attempts: 1, result: SUMMARY });
    expect(outcome.transcript.tail).toContain("Reconnecting... 2/5");
  });

  it("reports a failed turn with codex's message", async () => {
    const cwd = workspace();
    scriptAnswers(cwd, [{ $error: "stream disconnected before completion" }]);
    const outcome = await run("codex", cwd);
    expect(outcome).toMatchObject({
      status: "failed",
      attempts: 2,
      reason: "codex failed: stream disconnected before completion",
    });
  });
});

describe("gemini-cli provider", () => {
  it("runs gemini headless with JSON output, puts the schema in the prompt and reads the response", async () => {
    const cwd = workspace();
    scriptAnswers(cwd, [SUMMARY]);

    const outcome = await run("gemini-cli", cwd);

    expect(outcome).toMatchObject({ status: "ok", attempts: 1, model: "gemini-2.5-pro", result: SUMMARY });
    // prompt 8320 tokens; output = candidates 410 + thoughts 802.
    expect(outcome.usage.inputTokens).toBe(8320);
    expect(outcome.usage.outputTokens).toBe(1212);
    const [call] = fixtureCalls(cwd);
    expect(call.argv).toEqual([
      "--prompt",
      "Follow the instructions above. Reply with only the JSON result document.",
      "--output-format",
      "json",
      "--model",
      "gemini-2.5-pro",
      "--approval-mode",
      "yolo",
      "--skip-trust",
    ]);
    expect(call.stdin.startsWith(executorRequest().prompt)).toBe(true);
    expect(call.stdin).toContain(JSON.stringify(apiJsonSchema(resultJsonSchema(executorResultSchema)), null, 2));
    expect(call.stdin.endsWith("Reply with only the JSON result document.")).toBe(true);
    expectOnlyOwnKey(call.env, "gemini-cli");
  });

  it("runs other roles in the read-only plan mode", async () => {
    const cwd = workspace();
    scriptAnswers(cwd, [{ findings: [] }]);
    await unconfined(() => run("gemini-cli", cwd, verifierRequest()));
    const argv = fixtureCalls(cwd)[0].argv;
    expect(argv[argv.indexOf("--approval-mode") + 1]).toBe("plan");
  });

  it("reports the CLI's JSON error", async () => {
    const cwd = workspace();
    scriptAnswers(cwd, [
      { $error: "[API Error: Quota exceeded for quota metric 'Generate Content API requests per minute']" },
    ]);
    const outcome = await run("gemini-cli", cwd);
    expect(outcome.status).toBe("failed");
    expect(outcome.reason).toBe(
      "gemini failed (code 1): [API Error: Quota exceeded for quota metric 'Generate Content API requests per minute']",
    );
  });

  it("reports the JSON error the CLI prints on stderr, not the last line of it", async () => {
    const cwd = workspace();
    scriptAnswers(cwd, [
      { $stderrError: "Invalid auth method selected." },
      { $stderrError: "Invalid auth method selected." },
    ]);
    const outcome = await run("gemini-cli", cwd);
    expect(outcome.status).toBe("failed");
    expect(outcome.reason).toBe("gemini failed (code 41): Invalid auth method selected.");
  });

  it("points the CLI at okstra's system settings, which switch off what the clone's .gemini/ could add", async () => {
    const cwd = workspace();
    scriptAnswers(cwd, [SUMMARY]);
    await run("gemini-cli", cwd);
    const settingsPath = fixtureCalls(cwd)[0].env.GEMINI_CLI_SYSTEM_SETTINGS_PATH;
    const settings = JSON.parse(readFileSync(settingsPath, "utf8"));
    expect(settings).toMatchObject({
      hooksConfig: { enabled: false },
      advanced: { ignoreLocalEnv: true },
      admin: { mcp: { enabled: false }, extensions: { enabled: false } },
      security: { auth: { selectedType: "gemini-api-key" } },
    });
  });
});
