import { afterEach, describe, expect, it } from "@jest/globals";
import { cliInstalled, realCliRepo, type RealCliRun } from "./real-cli.js";
import { expectStageCompleted } from "./real-cli-assertions.js";

/** The real `codex` CLI (devDependency) as executor and verifier, against the scripted OpenAI Responses server. */

let run: RealCliRun | undefined;
afterEach(async () => {
  run?.restoreEnv();
  await run?.server.close();
  await run?.repo.dispose();
  run = undefined;
});

const test = cliInstalled("codex") ? it : it.skip;

describe("codex, end to end", () => {
  test("completes stage 1: edits, tests and commits through exec_command (a writable .git), verifies with a structured finding, usage and cost recorded", async () => {
    run = await realCliRepo("codex");
    const implement = await run.repo.run("/okstra implement --stage 1");
    const { executor, verifier } = await expectStageCompleted(run, implement, "codex");

    // Priced by okstra from the table (codex reports tokens, not dollars): gpt-5.4 at $2.5 in / $15 out per Mtok, cached at $0.25.
    const cached = executor.usage.cachedInputTokens ?? 0;
    expect(executor.usage.costUsd).toBeCloseTo(((executor.usage.inputTokens - cached) * 2.5 + cached * 0.25 + executor.usage.outputTokens * 15) / 1e6, 10);
    // The agent loop resends its growing conversation: later requests read the earlier ones' prefix from the cache, and okstra records it.
    expect(cached).toBeGreaterThan(0);
    expect(verifier.usage.costUsd).toBeGreaterThan(0);
    // codex 0.169 sends CODEX_API_KEY, which okstra fills with the App's OpenAI key.
    expect(run.server.turns()[0]!.headers.authorization).toBe("Bearer test-key-for-codex");
  }, 300_000);
});
