import { afterEach, describe, expect, it } from "@jest/globals";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { SandboxUnavailableError } from "../../src/sandbox/index.js";
import { runProcess } from "../../src/workers/run-process.js";
import { createLocalRepo, type LocalRepo } from "../helpers/local-repo.js";

/**
 * SPEC §14.1 without a sandbox. "No bwrap" is simulated with `OKSTRA_BWRAP`
 * naming a binary that does not exist (okstra's setting for which bubblewrap
 * to use), so the rest of the suite keeps the real one.
 */

const TOUCH = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "touch-marker.mjs");

let repo: LocalRepo | undefined;
let scratch: string | undefined;
const saved = { OKSTRA_BWRAP: process.env.OKSTRA_BWRAP, OKSTRA_SANDBOX: process.env.OKSTRA_SANDBOX };

afterEach(async () => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  await repo?.dispose();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

async function repoWithMarkingWorkers(marker: string): Promise<LocalRepo> {
  const worker = `{ provider: command, command: "${process.execPath} ${TOUCH} ${marker}" }`;
  const local = await createLocalRepo();
  await local.commitFile(
    ".github/okstra.yml",
    [
      "workers:",
      `  lead: ${worker}`,
      `  analysers: [ ${worker} ]`,
      `  executor: ${worker}`,
      `  verifiers: [ ${worker} ]`,
      "pilot: false",
    ].join("\n"),
  );
  return local;
}

describe("no bwrap and OKSTRA_SANDBOX unset", () => {
  it("refuses the command with the reason and what to set, and runs nothing", async () => {
    process.env.OKSTRA_BWRAP = "/nonexistent/okstra-test/bwrap";
    delete process.env.OKSTRA_SANDBOX;
    scratch = await mkdtemp(path.join(tmpdir(), "okstra-no-sandbox-"));
    const marker = path.join(scratch, "worker-ran");
    repo = await repoWithMarkingWorkers(marker);

    const result = await repo.run("/okstra plan");
    expect(result.code).toBe(1);
    const reply = (await repo.comments()).at(-1)!.body;
    expect(reply).toContain("okstra runs no worker without a sandbox");
    expect(reply).toContain("/nonexistent/okstra-test/bwrap");
    expect(reply).toContain("apt-get install bubblewrap");
    expect(reply).toContain("OKSTRA_SANDBOX=off");
    expect(existsSync(marker)).toBe(false);
    expect(await repo.ledgerCommits()).toEqual([]);
  });

  it("refuses at the one spawn point too, before starting anything", async () => {
    process.env.OKSTRA_BWRAP = "/nonexistent/okstra-test/bwrap";
    scratch = await mkdtemp(path.join(tmpdir(), "okstra-no-sandbox-"));
    const marker = path.join(scratch, "ran");
    const started = runProcess({
      command: process.execPath,
      args: [TOUCH, marker],
      cwd: scratch,
      env: { PATH: process.env.PATH },
      stdin: "",
      signal: new AbortController().signal,
      sandbox: { clone: scratch, cloneWritable: true },
    });
    await expect(started).rejects.toThrow(SandboxUnavailableError);
    await expect(started).rejects.toThrow(/OKSTRA_SANDBOX=off/);
    expect(existsSync(marker)).toBe(false);
  });

  it("with OKSTRA_SANDBOX=off runs workers unconfined, and every status comment says so", async () => {
    process.env.OKSTRA_BWRAP = "/nonexistent/okstra-test/bwrap";
    process.env.OKSTRA_SANDBOX = "off";
    scratch = await mkdtemp(path.join(tmpdir(), "okstra-no-sandbox-"));
    const marker = path.join(scratch, "worker-ran");
    repo = await repoWithMarkingWorkers(marker);
    await repo.run("/okstra plan");
    expect(existsSync(marker)).toBe(true);
    const status = (await repo.comments()).find((c) => c.body.includes("okstra:run-status"))!;
    expect(status.body).toContain("sandbox off (OKSTRA_SANDBOX=off)");
  });
});
