import { afterEach, describe, expect, it } from "@jest/globals";
import path from "node:path";
import { Writable } from "node:stream";
import { runCommandLine } from "../../src/cli/run-command.js";
import { FIXTURES_DIR } from "../../src/cli/sample-repository.js";
import { createLogger } from "../../src/util/log.js";
import { createLocalRepo, type LocalRepo } from "../helpers/local-repo.js";
import { okstraConfig, verifier } from "../verification/verification-repo.js";

let repo: LocalRepo;
afterEach(async () => {
  await repo?.dispose();
});

/** A real pino logger at debug level; every JSON line it writes, raw, in order. */
function capture(): { log: ReturnType<typeof createLogger>; raw: string[] } {
  const raw: string[] = [];
  let pending = "";
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const parts = (pending + chunk.toString("utf8")).split("\n");
      pending = parts.pop()!;
      raw.push(...parts.filter(Boolean));
      done();
    },
  });
  return { log: createLogger({ level: "debug", destination }), raw };
}

/** How often `"key":` appears at the top level of a JSON line: pino writes a key bound twice twice. */
function occurrences(line: string, key: string): number {
  return line.split(`"${key}":`).length - 1;
}

describe("the JSON log lines of an implementation run", () => {
  it("carry task on every line, run on every line once the run started, and stage on the work of each stage", async () => {
    repo = await createLocalRepo();
    await repo.commitFile(
      ".github/okstra.yml",
      okstraConfig({
        verifiers: [verifier("--findings none --review agree"), verifier("--findings none --review agree")],
      }),
    );
    expect((await repo.run("/okstra plan")).code).toBe(0);
    expect((await repo.run("/okstra approve")).code).toBe(0);

    const { log, raw } = capture();
    const args = [
      "/okstra implement",
      "--repo",
      repo.dir,
      "--issue",
      "1",
      "--issue-file",
      path.join(FIXTURES_DIR, "sample-issue.md"),
      "--actor",
      "maintainer",
    ];
    expect(await runCommandLine(args, { stdout: () => {}, stderr: () => {} }, { log })).toBe(0);

    const lines = raw.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines) expect(line).toMatchObject({ task: 1 });

    // Once the run has an id, every line names it.
    const started = lines.findIndex((line) => line.run !== undefined);
    expect(started).toBeGreaterThanOrEqual(0);
    for (const line of lines.slice(started))
      expect(line).toMatchObject({ task: 1, run: expect.stringMatching(/^(impl|verify)-1$/) });
    // autoVerify's verification, inside the implementation command, is a run of its own: its lines name it instead.
    const runs = lines.slice(started).map((line) => line.run);
    expect(runs.filter((run, i) => run !== runs[i - 1])).toEqual(["impl-1", "verify-1"]);
    expect(lines.filter((line) => line.role === "verifier").map((line) => line.run)).toEqual(["verify-1", "verify-1"]);

    // The work of each stage of the batch (1 and 2) says which stage it is.
    const executors = lines.filter((line) => line.msg === "worker finished" && line.role === "executor");
    expect(executors.map((line) => line.stage).sort()).toEqual([1, 2]);
    const pushes = lines.filter((line) => line.msg === "branch pushed");
    expect(pushes.map((line) => [line.stage, line.branch]).sort()).toEqual([
      [1, "okstra/1/s1"],
      [2, "okstra/1/s2"],
    ]);
    const opened = lines.filter((line) => line.msg === "PR opened");
    expect(opened.map((line) => line.stage).sort()).toEqual([1, 2]);

    // A binding is never written twice on one line (some log stores reject duplicate keys).
    const repeated = raw.filter((line) =>
      ["task", "deliveryId", "run", "stage"].some((key) => occurrences(line, key) > 1),
    );
    expect(repeated).toEqual([]);
  });
});
