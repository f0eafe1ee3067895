import { runProcess } from "../../workers/run-process.js";
import { workerEnv } from "../../workers/env.js";

/** One validation command as okstra ran it (the carry's `validation[]` entry, SPEC §6.4). */
export interface ValidationResult {
  phase: "pre" | "post" | "qa";
  command: string;
  exitCode: number;
  durationMs: number;
  outputTail: string;
  timedOut: boolean;
}

const TAIL_CHARS = 4_000;

/**
 * Runs validation commands the way CI would: through `sh -c` in the stage's
 * workspace, as their own process group (a hung test runner and everything it
 * started are killed at the deadline), with the same allow-listed environment
 * as workers — never a token or a key. okstra runs them itself; a worker's
 * claim that tests pass counts for nothing.
 */
export async function runValidation(
  commands: Array<{ phase: ValidationResult["phase"]; command: string }>,
  options: {
    cwd: string;
    timeoutMs: number;
    signal?: AbortSignal;
    home: string;
    /** Extra read-write directories inside the sandbox (persistent package caches). */
    writablePaths?: string[];
    /** False when `sandbox.network: off` cuts commands off the network. */
    network?: boolean;
  },
): Promise<ValidationResult[]> {
  const results: ValidationResult[] = [];
  for (const { phase, command } of commands) {
    const started = Date.now();
    const deadline = AbortSignal.timeout(options.timeoutMs);
    const signal = options.signal ? AbortSignal.any([deadline, options.signal]) : deadline;
    const env = workerEnv({ appEnv: process.env, provider: "command", home: options.home, extra: { CI: "true" } });
    // Repository code: sandboxed, on a writable clone, like the executor that wrote it.
    const sandbox = { clone: options.cwd, cloneWritable: true, writablePaths: [options.home, ...(options.writablePaths ?? [])], network: options.network };
    const outcome = await runProcess({ command: "/bin/sh", args: ["-c", command], cwd: options.cwd, env, stdin: "", signal, sandbox });
    const output = `${outcome.stdout}${outcome.stderr ? `\n${outcome.stderr}` : ""}`.trimEnd();
    const timedOut = outcome.aborted && deadline.aborted;
    results.push({
      phase,
      command,
      exitCode: outcome.aborted ? 124 : (outcome.exitCode ?? 1),
      durationMs: Date.now() - started,
      outputTail: `${output.slice(-TAIL_CHARS)}${timedOut ? `\n[okstra: killed after ${Math.round(options.timeoutMs / 1000)} s]` : ""}`,
      timedOut,
    });
    if (options.signal?.aborted) break;
  }
  return results;
}

export function failedValidations(results: readonly ValidationResult[]): ValidationResult[] {
  return results.filter((r) => r.exitCode !== 0);
}
