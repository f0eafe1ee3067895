import { describe, expect } from "@jest/globals";
import { realCliSuite } from "./real-cli.js";
import { expectStageCompleted } from "./real-cli-assertions.js";

/** The real `codex` CLI (devDependency) as executor and verifier, against the scripted OpenAI Responses server. */

const { test, start } = realCliSuite("codex");

describe("codex, end to end", () => {
  test("completes stage 1: edits, tests and commits through exec_command (a writable .git), verifies with a structured finding, usage and cost recorded", async () => {
    const run = await start();
    const implement = await run.repo.run("/okstra implement --stage 1");
    const { executor, verifier } = await expectStageCompleted(run, implement, "codex");

    // Priced by okstra from the table (codex reports tokens, not dollars): gpt-5.4 at $2.5 in / $15 out per Mtok, cached at $0.25.
    const cached = executor.usage.cachedInputTokens ?? 0;
    expect(executor.usage.costUsd).toBeCloseTo(
      ((executor.usage.inputTokens - cached) * 2.5 + cached * 0.25 + executor.usage.outputTokens * 15) / 1e6,
      10,
    );
    // The agent loop resends its growing conversation: later requests read the earlier ones' prefix from the cache, and okstra records it.
    expect(cached).toBeGreaterThan(0);
    expect(verifier.usage.costUsd).toBeGreaterThan(0);
    // codex 0.169 sends CODEX_API_KEY, which okstra fills with the App's OpenAI key.
    expect(run.server.turns()[0]!.headers.authorization).toBe("Bearer test-key-for-codex");
  }, 300_000);
});
