import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { access, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { runValidation } from "../../src/engine/implementation/run-validation.js";

/**
 * SPEC §14.5: right before a plan or qa command runs it is checked again —
 * against the deny-list, and that the plan is still the approved one — so a
 * command that reached the run some other way is still not executed.
 */

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "okstra-recheck-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

describe("the re-check right before validation commands run", () => {
  it("does not run a command with a mutating token, and says which token", async () => {
    const marker = path.join(dir, "ran");
    const results = await runValidation([{ phase: "post", command: `touch ${marker} && npm install left-pad` }], {
      cwd: dir,
      timeoutMs: 10_000,
      home: dir,
    });
    expect(await exists(marker)).toBe(false);
    expect(results).toEqual([
      expect.objectContaining({ exitCode: 126, outputTail: expect.stringContaining("mutating token `npm install`") }),
    ]);
  });

  it("runs none of the commands when the plan is no longer the approved one", async () => {
    const marker = path.join(dir, "ran");
    const results = await runValidation(
      [
        { phase: "pre", command: `touch ${marker}` },
        { phase: "pre", command: "true" },
      ],
      { cwd: dir, timeoutMs: 10_000, home: dir, recheck: async () => "the plan of #1 changed since this run started" },
    );
    expect(await exists(marker)).toBe(false);
    expect(results.map((r) => [r.exitCode, r.outputTail])).toEqual([
      [126, "[okstra: not run: the plan of #1 changed since this run started]"],
      [126, "[okstra: not run: the plan of #1 changed since this run started]"],
    ]);
  });

  it("runs them when the re-check passes", async () => {
    const marker = path.join(dir, "ran");
    const results = await runValidation([{ phase: "post", command: `touch ${marker}` }], {
      cwd: dir,
      timeoutMs: 10_000,
      home: dir,
      recheck: async () => null,
    });
    expect(await exists(marker)).toBe(true);
    expect(results[0]!.exitCode).toBe(0);
  });
});
