import { describe, expect } from "@jest/globals";
import { realCliSuite } from "./real-cli.js";
import { expectStageCompleted } from "./real-cli-assertions.js";

/** The real `gemini` CLI (devDependency) as executor and verifier, against the scripted Gemini streamGenerateContent server. */

const { test, start } = realCliSuite("gemini-cli");

describe("gemini-cli, end to end", () => {
  test("completes stage 1: writes files with write_file, tests and commits through run_shell_command, verifies with a structured finding, usage and cost recorded", async () => {
    const run = await start();
    const implement = await run.repo.run("/okstra implement --stage 1");
    const { executor } = await expectStageCompleted(run, implement, "gemini-cli");

    // Priced by okstra from the table, cached input at Gemini's cached price: gemini-2.5-pro at $1.25 in, $0.125 cached, $10 out per Mtok.
    const cached = executor.usage.cachedInputTokens ?? 0;
    expect(cached).toBeGreaterThan(0);
    expect(executor.usage.costUsd).toBeCloseTo(
      ((executor.usage.inputTokens - cached) * 1.25 + cached * 0.125 + executor.usage.outputTokens * 10) / 1e6,
      10,
    );
    // Streamed over the documented base URL, with the key okstra gave it.
    const first = run.server.turns()[0]!;
    expect(first.path).toMatch(/^\/v1beta\/models\/gemini-2\.5-pro:streamGenerateContent\?alt=sse$/);
    expect(first.headers["x-goog-api-key"]).toBe("test-key-for-gemini-cli");
  }, 300_000);
});
