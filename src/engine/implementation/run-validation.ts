import { findMutatingToken } from "../../config/deny-list.js";
import { runProcess } from "../../workers/run-process.js";
import { workerEnv } from "../../workers/env.js";
import { redactSecrets } from "../../util/redact.js";

/** One validation command as okstra ran it (the carry's `validation[]` entry, SPEC §6.4). */
export interface ValidationResult {
  phase: "setup" | "pre" | "post" | "qa";
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
  options: {
    cwd: string;
    timeoutMs: number;
    signal?: AbortSignal;
    home: string;
    /** Added to the allow-listed environment (the package caches of `setup:`). */
    env?: Record<string, string>;
    /** Extra read-write directories inside the sandbox (persistent package caches). */
    writablePaths?: string[];
    /** Stop at the first failing command (setup: the next one would build on a broken install). */
    stopOnFailure?: boolean;
    /** Asked right before the commands run: a reason not to run them (the plan is no longer the approved one), or null. */
    recheck?: () => Promise<string | null>;
    /** False when `sandbox.network: off` cuts commands off the network. */
    network?: boolean;
  },
): Promise<ValidationResult[]> {
  const results: ValidationResult[] = [];
  const refusal = commands.length > 0 && options.recheck ? await options.recheck() : null;
  if (refusal !== null) return commands.map(({ phase, command }) => notRun(phase, command, refusal));
  for (const { phase, command } of commands) {
    // `setup:` installs dependencies by design and comes from the default branch's config: exempt (SPEC §3).
    const token = phase === "setup" ? null : findMutatingToken(command);
    if (token !== null) {
      results.push(notRun(phase, command, `it contains the mutating token \`${token}\` (SPEC §3 deny-list)`));
      continue;
    }
    const started = Date.now();
    const deadline = AbortSignal.timeout(options.timeoutMs);
    const signal = options.signal ? AbortSignal.any([deadline, options.signal]) : deadline;
    const env = workerEnv({
      appEnv: process.env,
      provider: "command",
      home: options.home,
      extra: { CI: "true", ...options.env },
    });
    // Repository code: sandboxed, on a writable clone, like the executor that wrote it.
    const sandbox = {
      clone: options.cwd,
      cloneWritable: true,
      writablePaths: [options.home, ...(options.writablePaths ?? [])],
      network: options.network,
    };
    const outcome = await runProcess({
      command: "/bin/sh",
      args: ["-c", command],
      cwd: options.cwd,
      env,
      stdin: "",
      signal,
      sandbox,
    });
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
    if (options.stopOnFailure && results.at(-1)!.exitCode !== 0) break;
  }
  return results;
}

function notRun(phase: ValidationResult["phase"], command: string, why: string): ValidationResult {
  return { phase, command, exitCode: 126, durationMs: 0, outputTail: `[okstra: not run: ${why}]`, timedOut: false };
}

export function failedValidations(results: readonly ValidationResult[]): ValidationResult[] {
  return results.filter((r) => r.exitCode !== 0);
}

const EVIDENCE_CHARS = 1_500;

/**
 * What a person needs to see why a stage failed: each failing command with
 * the redacted end of its output, capped so a long log cannot crowd out the
 * rest of a comment or a ledger row (SPEC §6.3 "output tails recorded").
 */
export function failureEvidence(results: readonly ValidationResult[]): string {
  return failedValidations(results)
    .map((r) => {
      const tail = excerpt(redactSecrets(r.outputTail));
      return `$ ${r.command}  (${r.timedOut ? "timed out" : `exit ${r.exitCode}`})\n${tail || "(no output)"}`;
    })
    .join("\n\n");
}

/** Where test runners, shells and linters say what failed: `not ok`, `FAIL`, `✕`, an `Error:` or an `AssertionError`. */
const FAILURE_LINE = /^\s*(not ok\b|FAIL\b|✕|✗|×|●)|\b(\w*Error|ERR!)\b|: not found|expected/i;

/**
 * The part of a long output that says why: from the first line that reports
 * a failure (a runner's final summary follows it; the passing tests before it
 * do not help), else the end. Capped either way, keeping both ends.
 */
function excerpt(output: string): string {
  const lines = output.split("\n");
  const first = lines.findIndex((line) => FAILURE_LINE.test(line));
  const from = first >= 0 ? lines.slice(Math.max(0, first - 2)).join("\n") : output;
  const text = from.trimEnd();
  if (text.length <= EVIDENCE_CHARS) return text;
  const end = 400;
  return `${text.slice(0, EVIDENCE_CHARS - end)}\n[… ${text.length - EVIDENCE_CHARS} characters …]\n${text.slice(-end)}`;
}
