import { describe, expect } from "@jest/globals";
import { realCliSuite } from "./real-cli.js";
import { expectStageCompleted } from "./real-cli-assertions.js";

/** The real `claude` CLI (devDependency) as executor and verifier, against the scripted Anthropic Messages server. */

const { test, start } = realCliSuite("claude-code");

describe("claude-code, end to end", () => {
  test("completes stage 1: edits, tests and commits through Bash, verifies with a structured finding, usage and cost recorded", async () => {
    const run = await start();
    const implement = await run.repo.run("/okstra implement --stage 1");
    const { executor } = await expectStageCompleted(run, implement, "claude-code");

    // claude-code reports its own cost (total_cost_usd), which okstra keeps rather than re-pricing.
    expect(executor.usage.costUsd).toBeGreaterThan(0);
    // Read-only roles are offered read tools only; the executor Bash, Edit and Write, and never WebFetch.
    const tools = (role: string) =>
      run.server.turns().find((r) => r.turn!.text.includes(`# Role: ${role}`))!.turn!.tools;
    // (claude 2.1.328 offers file writing through Edit; Glob and Grep are not separate tools in --bare mode.)
    for (const tool of ["Bash", "Edit", "Write", "WebFetch", "WebSearch"])
      expect(tools("verifier")).not.toContain(tool);
    expect(tools("verifier")).toContain("Read");
    expect(tools("stage executor")).toEqual(expect.arrayContaining(["Bash", "Edit", "Read"]));
    for (const tool of ["WebFetch", "WebSearch"]) expect(tools("stage executor")).not.toContain(tool);
    // Pointed at the scripted server through ANTHROPIC_BASE_URL, with the key okstra gave it.
    expect(run.server.turns()[0]!.headers["x-api-key"] ?? run.server.turns()[0]!.headers.authorization).toMatch(
      /test-key-for-claude-code/,
    );
  }, 300_000);
});
