import { findMutatingToken } from "../../config/deny-list.js";
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
 *
 * Right before running, every command is checked again (SPEC §14.5): against
 * the deny-list, and with `recheck` (is the plan still the approved one?). A
 * command refused there is not run; its result says why (exit 126).
 */
export async function runValidation(
  commands: Array<{ phase: ValidationResult["phase"]; command: string }>,
  options: { cwd: string; timeoutMs: number; signal?: AbortSignal; home: string; recheck?: () => Promise<string | null> },
): Promise<ValidationResult[]> {
  const results: ValidationResult[] = [];
  const refusal = commands.length > 0 && options.recheck ? await options.recheck() : null;
  if (refusal !== null) return commands.map(({ phase, command }) => notRun(phase, command, refusal));
  for (const { phase, command } of commands) {
    const token = findMutatingToken(command);
    if (token !== null) {
      results.push(notRun(phase, command, `it contains the mutating token \`${token}\` (SPEC §3 deny-list)`));
      continue;
    }
    const started = Date.now();
    const deadline = AbortSignal.timeout(options.timeoutMs);
    const signal = options.signal ? AbortSignal.any([deadline, options.signal]) : deadline;
    const env = workerEnv({ appEnv: process.env, provider: "command", home: options.home, extra: { CI: "true" } });
    const outcome = await runProcess({ command: "/bin/sh", args: ["-c", command], cwd: options.cwd, env, stdin: "", signal });
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

function notRun(phase: ValidationResult["phase"], command: string, why: string): ValidationResult {
  return { phase, command, exitCode: 126, durationMs: 0, outputTail: `[okstra: not run: ${why}]`, timedOut: false };
}

export function failedValidations(results: readonly ValidationResult[]): ValidationResult[] {
  return results.filter((r) => r.exitCode !== 0);
}
