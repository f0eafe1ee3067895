import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { readdir, readlink } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import path from "node:path";
import { executorResultSchema } from "../../src/workers/results.js";
import { runWorker } from "../../src/workers/run-worker.js";
import { commandSpec, executorRequest, PLANTED_SECRETS, removeWorkspaces, workspace } from "./helpers.js";

/** The `command` provider against real child processes (fixtures/workers/command/*.mjs). */

const DEADLINE_MS = 20_000;

function run(
  script: string,
  cwd: string,
  extra: { deadlineMs?: number; signal?: AbortSignal; transcriptDir?: string } = {},
) {
  return runWorker({
    request: executorRequest(),
    spec: commandSpec(script),
    schema: executorResultSchema,
    cwd,
    deadlineMs: DEADLINE_MS,
    ...extra,
  });
}

/** Alive = in the process table and not a zombie waiting for its reaper. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/**
 * The host pids of processes working in `dir`. The worker records its pids
 * from inside the sandbox's PID namespace, where they mean nothing on the
 * host, so its processes are found by their working directory instead.
 */
async function processesWorkingIn(dir: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir("/proc").catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const cwd = await readlink(path.join("/proc", entry, "cwd")).catch(() => null);
    if (cwd !== null && (cwd === dir || cwd.startsWith(`${dir}/`)) && alive(Number(entry))) found.push(Number(entry));
  }
  return found;
}

async function waitUntilGone(dir: string, withinMs = 5000): Promise<number[]> {
  const until = Date.now() + withinMs;
  let living = await processesWorkingIn(dir);
  while (living.length > 0 && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    living = await processesWorkingIn(dir);
  }
  return living;
}

afterEach(removeWorkspaces);

describe("command provider", () => {
  it("reads the result from $OKSTRA_RESULT, with the usage the worker reported", async () => {
    const cwd = workspace();
    const outcome = await run("result-file.mjs", cwd);
    expect(outcome).toMatchObject({
      status: "ok",
      attempts: 1,
      provider: "command",
      model: "command",
      result: { summary: "did executor work for impl-3", notes: "Implement stage 2: export the CSV endpoi" },
      usage: { inputTokens: 1200, outputTokens: 300, costUsd: 0.0042 },
    });
    expect(outcome.result).not.toHaveProperty("usage");
    expect(outcome.transcript.tail).toContain("working on issue-12 stage 2 as executor");
  });

  it("falls back to the last JSON document on stdout", async () => {
    const outcome = await run("result-stdout.mjs", workspace());
    expect(outcome.status).toBe("ok");
    expect(outcome.result).toEqual({ summary: "answered over stdout for issue-12", notes: "multi-line" });
    expect(outcome.usage).toEqual({ inputTokens: 0, outputTokens: 0, costUsd: 0 });
  });

  it("kills the worker and its grandchild at the deadline, re-dispatches once, then records a timeout", async () => {
    const cwd = workspace();
    const outcome = await run("sleeper.mjs", cwd, { deadlineMs: 4000 });
    expect(outcome.status).toBe("timeout");
    expect(outcome.attempts).toBe(2);
    expect(outcome.reason).toMatch(/no result within the 4 s deadline, twice/);
    const pids = readFileSync(path.join(cwd, "pids.txt"), "utf8").split(/\s+/).filter(Boolean).map(Number);
    expect(pids).toHaveLength(4); // worker + grandchild, for each of the two dispatches
    expect(await waitUntilGone(cwd)).toEqual([]);
  });

  it("stops at once on cancel, killing the process tree", async () => {
    const cwd = workspace();
    const controller = new AbortController();
    const pending = run("sleeper.mjs", cwd, { signal: controller.signal });
    const pidsFile = path.join(cwd, "pids.txt");
    for (let i = 0; i < 200 && !existsSync(pidsFile); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort("cancelled by /okstra cancel");
    const outcome = await pending;
    expect(outcome).toMatchObject({ status: "cancelled", attempts: 1, reason: "cancelled by /okstra cancel" });
    expect(readFileSync(pidsFile, "utf8").split(/\s+/).filter(Boolean)).toHaveLength(2);
    expect(await waitUntilGone(cwd)).toEqual([]);
  });

  it("retries garbage once with the validation error appended, then records contract-violated", async () => {
    const cwd = workspace();
    const outcome = await run("garbage.mjs", cwd);
    expect(outcome.status).toBe("contract-violated");
    expect(outcome.attempts).toBe(2);
    expect(outcome.reason).toContain("no JSON document found");
    const prompts = readFileSync(path.join(cwd, "prompts.jsonl"), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as string);
    expect(prompts).toHaveLength(2);
    expect(prompts[0]).toBe("Implement stage 2: export the CSV endpoint.");
    expect(prompts[1].startsWith(prompts[0])).toBe(true);
    expect(prompts[1]).toContain("does not match the required result schema");
    expect(prompts[1]).toContain("no JSON document found at the end of the output");
  });

  it("accepts the answer corrected after the feedback", async () => {
    const cwd = workspace();
    const outcome = await run("fixed-on-retry.mjs", cwd);
    expect(outcome).toMatchObject({ status: "ok", attempts: 2, result: { summary: "fixed after feedback" } });
    const prompts = readFileSync(path.join(cwd, "prompts.jsonl"), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as string);
    expect(prompts[1]).toMatch(/expected string, received number\s+→ at summary/);
  });

  it("re-dispatches a worker that dies once, then records it failed with its stderr", async () => {
    const cwd = workspace();
    const outcome = await run("crash.mjs", cwd);
    expect(outcome.status).toBe("failed");
    expect(outcome.attempts).toBe(2);
    expect(outcome.reason).toMatch(/exited with code 3: fatal: the model endpoint refused the connection/);
    expect(readFileSync(path.join(cwd, "crashes.txt"), "utf8")).toBe("x\nx\n");
  });

  it("fails at once, without re-dispatching, when the command cannot be started", async () => {
    const outcome = await runWorker({
      request: executorRequest(),
      spec: { provider: "command", command: "/nonexistent/okstra-agent --flag" },
      schema: executorResultSchema,
      cwd: workspace(),
      deadlineMs: DEADLINE_MS,
    });
    expect(outcome).toMatchObject({ status: "failed", attempts: 1 });
    expect(outcome.reason).toMatch(/cannot start \/nonexistent\/okstra-agent: .*ENOENT/);
  });

  it("writes each attempt's full transcript when asked to", async () => {
    const dir = path.join(workspace(), "transcripts");
    const outcome = await run("garbage.mjs", workspace(), { transcriptDir: dir });
    expect(readdirSync(dir).sort()).toEqual([
      "executor-s2-command-command-a1.log",
      "executor-s2-command-command-a2.log",
    ]);
    expect(outcome.transcript.path).toBe(path.join(dir, "executor-s2-command-command-a2.log"));
    expect(readFileSync(outcome.transcript.path!, "utf8")).toContain("Sure! Here is what I found");
  });
});

describe("worker environment", () => {
  const saved: Record<string, string | undefined> = {};
  beforeEach(() => {
    for (const [name, value] of Object.entries(PLANTED_SECRETS)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
  });
  afterEach(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it("gives a command worker no secret of the App's, only PATH-like basics and OKSTRA_*", async () => {
    const outcome = await run("print-env.mjs", workspace());
    expect(outcome.status).toBe("ok");
    const env = JSON.parse(outcome.result!.notes!) as Record<string, string>;
    for (const [name, value] of Object.entries(PLANTED_SECRETS)) {
      expect(env).not.toHaveProperty(name);
      expect(Object.values(env)).not.toContain(value);
    }
    expect(env).toMatchObject({
      OKSTRA_ROLE: "executor",
      OKSTRA_PHASE: "implementation",
      OKSTRA_TASK: "issue-12",
      OKSTRA_RUN: "impl-3",
      OKSTRA_STAGE: "2",
    });
    expect(env.OKSTRA_RESULT).toMatch(new RegExp(`^${tmpdir()}`));
    expect(env.PATH).toBe(process.env.PATH);
    expect(env.HOME).not.toBe(homedir());
  });
});
