import { spawn } from "node:child_process";

/**
 * Runs one worker process as the leader of its own process group, so that
 * everything it starts (an agent's shells, test runners, servers) can be
 * killed together: on the deadline, on cancel, and after the leader exits,
 * so nothing it left running in the background outlives the attempt. A
 * descendant that deliberately leaves the group (`setsid`) escapes this; the
 * workspace is removed after the run either way.
 */

export interface RunProcessOptions {
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdin: string;
  /** Aborting kills the whole process group at once (SIGKILL: a worker past its deadline gets no grace). */
  signal: AbortSignal;
  /** Extra read-write paths the sandbox binds (e.g. the package caches of `setup:`); unused without the sandbox. */
  writablePaths?: string[];
}

export interface ProcessResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** True when the process group was killed because `signal` fired. */
  aborted: boolean;
}

export class ProcessStartError extends Error {
  constructor(command: string, cause: Error) {
    super(`cannot start ${command}: ${cause.message}`);
    this.name = "ProcessStartError";
  }
}

/** Output kept per stream: the end matters (the result is the last JSON document). */
const STDOUT_LIMIT = 8 * 1024 * 1024;
const STDERR_LIMIT = 256 * 1024;

class TailBuffer {
  private text = "";
  constructor(private readonly limit: number) {}
  push(chunk: string): void {
    this.text += chunk;
    if (this.text.length > this.limit * 2) this.text = this.text.slice(-this.limit);
  }
  toString(): string {
    return this.text.length > this.limit ? this.text.slice(-this.limit) : this.text;
  }
}

const liveGroups = new Set<number>();
let exitHookInstalled = false;

function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // ESRCH: the group is already gone.
  }
}

/** If okstra itself exits mid-run, its detached workers must not live on. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const pid of liveGroups) killGroup(pid);
  });
}

export function runProcess(options: RunProcessOptions): Promise<ProcessResult> {
  installExitHook();
  return new Promise((resolve, reject) => {
    const stdout = new TailBuffer(STDOUT_LIMIT);
    const stderr = new TailBuffer(STDERR_LIMIT);
    let aborted = false;
    let settled = false;
    const child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ["pipe", "pipe", "pipe"],
    });
    const pid = child.pid;
    const onAbort = () => {
      aborted = true;
      if (pid !== undefined) killGroup(pid);
    };
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      options.signal.removeEventListener("abort", onAbort);
      if (pid !== undefined) liveGroups.delete(pid);
      fn();
    };

    child.on("error", (error) => finish(() => reject(new ProcessStartError(options.command, error))));
    if (pid === undefined) return;
    liveGroups.add(pid);
    if (options.signal.aborted) onAbort();
    else options.signal.addEventListener("abort", onAbort, { once: true });

    child.stdout.setEncoding("utf8").on("data", (chunk: string) => stdout.push(chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => stderr.push(chunk));
    // A worker that never reads its stdin closes the pipe early; that is its business.
    child.stdin.on("error", () => undefined);
    child.stdin.end(options.stdin);

    // Reap whatever the leader left running; 'close' then follows once every holder of its pipes is gone.
    child.on("exit", () => killGroup(pid));
    child.on("close", (exitCode, signal) =>
      finish(() => resolve({ exitCode, signal, stdout: stdout.toString(), stderr: stderr.toString(), aborted })),
    );
  });
}
