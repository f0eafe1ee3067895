import { mkdir } from "node:fs/promises";
import path from "node:path";
import { SandboxUnavailableError } from "../../sandbox/index.js";
import { workerEnv } from "../env.js";
import { ProcessStartError, runProcess, type ProcessResult } from "../run-process.js";
import type { ProviderAnswer, ProviderCall, TokenUsage } from "../types.js";

/** What the process-based providers (command and the agent CLIs) share: how a worker process is started and described. */

export const NO_TOKENS: TokenUsage = { inputTokens: 0, outputTokens: 0 };

export type Spawned = { ok: true; run: ProcessResult; transcript: string } | { ok: false; answer: ProviderAnswer };

export async function spawnWorker(
  call: ProviderCall,
  command: string,
  args: string[],
  stdin: string,
  extraEnv: Record<string, string | undefined> = {},
): Promise<Spawned> {
  const home = path.join(call.scratchDir, "home");
  await mkdir(home, { recursive: true });
  const env = workerEnv({ provider: call.spec.provider, appEnv: call.appEnv, home, extra: extraEnv });
  try {
    // Only the executor may change its clone; every role gets the attempt's scratch dir (HOME, result file).
    const sandbox = {
      clone: call.cwd,
      cloneWritable: call.request.role === "executor",
      writablePaths: [call.scratchDir],
    };
    const run = await runProcess({ command, args, cwd: call.cwd, env, stdin, signal: call.signal, sandbox });
    return { ok: true, run, transcript: describeRun(command, args, run) };
  } catch (error) {
    if (!(error instanceof ProcessStartError) && !(error instanceof SandboxUnavailableError)) throw error;
    // A missing or non-executable binary stays missing: re-dispatching cannot help.
    return {
      ok: false,
      answer: { kind: "failed", reason: error.message, retryable: false, usage: NO_TOKENS, transcript: error.message },
    };
  }
}

export function describeRun(command: string, args: string[], run: ProcessResult): string {
  const shown = args.map((a) => (a.length > 200 ? `${a.slice(0, 200)}…` : a));
  const ended = run.aborted
    ? "killed (deadline or cancel)"
    : run.signal
      ? `killed by ${run.signal}`
      : `exit ${run.exitCode}`;
  return [
    `$ ${[command, ...shown].join(" ")}`,
    `--- stdout ---`,
    run.stdout,
    `--- stderr ---`,
    run.stderr,
    `--- ${ended} ---`,
  ].join("\n");
}

/** Why a process that did not exit 0 failed, in one line a maintainer can act on. */
export function exitReason(name: string, run: ProcessResult): string {
  const how = run.signal ? `was killed by ${run.signal}` : `exited with code ${run.exitCode}`;
  const lastLine = run.stderr.trim().split("\n").pop()?.trim();
  return lastLine ? `${name} ${how}: ${lastLine}` : `${name} ${how}`;
}

/** A CLI's binary: the name on PATH, or the path its `OKSTRA_*_BIN` variable names (tests point these at fixtures). */
export function binaryFor(call: ProviderCall, variable: string, fallback: string): string {
  return call.appEnv[variable] || fallback;
}
