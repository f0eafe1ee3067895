import { spawn } from "node:child_process";
import { assertSandboxReady, bwrapCommand, resolveExecutable, type SandboxAccess } from "../sandbox/index.js";

/**
 * The one place okstra starts a process on repository content: every worker
 * of every provider and every setup/validation/qa command. With `sandbox`
 * given, the process runs inside bubblewrap (src/sandbox/): its own PID
 * namespace, so everything it starts — a `setsid` loop included — dies with
 * it. Either way it leads its own process group, killed as a whole on the
 * deadline, on cancel and once the leader exits.
 *
 * okstra stops waiting once the leader has exited: a descendant still holding
 * stdout (possible only unsandboxed, where `setsid` escapes the group) gets
 * DRAIN_MS to let go, then the pipes are closed on our side.
 */

export interface RunProcessOptions {
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdin: string;
  /** Aborting kills the whole process group at once (SIGKILL: a worker past its deadline gets no grace). */
  signal: AbortSignal;
  /**
   * What the process may reach; without it the process runs as okstra does
   * (only okstra's own tools, never repository content). With it and no
   * working sandbox, nothing runs unless the operator set `OKSTRA_SANDBOX=off`.
   */
  sandbox?: SandboxAccess;
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

/** How long the pipes may stay open after the leader exited before okstra closes its ends. */
const DRAIN_MS = 1_000;

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

/** The command line that actually runs: wrapped in bubblewrap when a sandbox is asked for and on. */
function confined(options: RunProcessOptions): { command: string; args: string[]; env: NodeJS.ProcessEnv } {
  if (!options.sandbox) return options;
  const state = assertSandboxReady();
  if (state.mode === "off") return options;
  // Inside bwrap a missing program is bwrap's exit 1; say it as spawn would, so it is not retried.
  if (!resolveExecutable(options.command, options.env.PATH)) {
    throw new ProcessStartError(options.command, new Error(`spawn ${options.command} ENOENT`));
  }
  // Inside, /tmp is private and empty: the host's TMPDIR does not exist there.
  const env = { ...options.env, TMPDIR: "/tmp", TMP: "/tmp", TEMP: "/tmp" };
  const wrapped = bwrapCommand({
    bwrap: state.bwrap,
    command: options.command,
    args: options.args,
    cwd: options.cwd,
    env,
    access: options.sandbox,
  });
  return { ...wrapped, env };
}

export function runProcess(options: RunProcessOptions): Promise<ProcessResult> {
  installExitHook();
  let started: { command: string; args: string[]; env: NodeJS.ProcessEnv };
  try {
    started = confined(options);
  } catch (error) {
    return Promise.reject(error);
  }
  return new Promise((resolve, reject) => {
    const stdout = new TailBuffer(STDOUT_LIMIT);
    const stderr = new TailBuffer(STDERR_LIMIT);
    let aborted = false;
    let settled = false;
    const child = spawn(started.command, started.args, {
      cwd: options.cwd,
      env: started.env,
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

    const done = (exitCode: number | null, signal: NodeJS.Signals | null) =>
      finish(() => resolve({ exitCode, signal, stdout: stdout.toString(), stderr: stderr.toString(), aborted }));
    // Reap whatever the leader left running; 'close' then follows once every holder of its pipes is gone —
    // or, if something outside the group still holds them, okstra lets go of its ends after DRAIN_MS.
    child.on("exit", (exitCode, signal) => {
      killGroup(pid);
      setTimeout(() => {
        if (settled) return;
        child.stdout.destroy();
        child.stderr.destroy();
        done(exitCode, signal);
      }, DRAIN_MS).unref();
    });
    child.on("close", done);
  });
}
