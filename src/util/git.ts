import { spawn } from "node:child_process";

/**
 * The one way okstra runs git (STYLE §8): a fixed locale so output can be
 * parsed, no prompts, no user or system config that could change behaviour,
 * a timeout, and credentials only as a per-command `-c http.extraheader`,
 * never in `.git/config` or a URL.
 */

export interface GitOptions {
  cwd: string;
  input?: string | Buffer;
  /** Milliseconds; the process is killed after it. */
  timeoutMs?: number;
  /** Extra environment (e.g. GIT_INDEX_FILE); merged over the scrubbed base. */
  env?: Record<string, string>;
  /** An HTTP header for this one command, e.g. `AUTHORIZATION: basic …`. */
  extraHeader?: string;
  /** Resolve instead of throwing on a non-zero exit. */
  allowFailure?: boolean;
}

export interface GitResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export class GitError extends Error {
  constructor(
    readonly args: string[],
    readonly exitCode: number,
    readonly stderr: string,
  ) {
    super(`git ${redactArgs(args).join(" ")} failed (${exitCode}): ${stderr.trim().split("\n").slice(-3).join(" | ")}`);
    this.name = "GitError";
  }
}

const DEFAULT_TIMEOUT_MS = 5 * 60_000;

/** Environment for git: only what it needs, nothing inherited that could carry a secret. */
export function gitEnvironment(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: process.env.HOME ?? "/tmp",
    LANG: "C.UTF-8",
    LC_ALL: "C.UTF-8",
    GIT_TERMINAL_PROMPT: "0",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_AUTHOR_NAME: "okstra",
    GIT_AUTHOR_EMAIL: "okstra@users.noreply.github.com",
    GIT_COMMITTER_NAME: "okstra",
    GIT_COMMITTER_EMAIL: "okstra@users.noreply.github.com",
  };
  if (process.env.TMPDIR) env.TMPDIR = process.env.TMPDIR;
  return { ...env, ...extra };
}

export function git(args: string[], options: GitOptions): Promise<GitResult> {
  const fullArgs = options.extraHeader ? ["-c", `http.extraheader=${options.extraHeader}`, ...args] : args;
  return new Promise((resolve, reject) => {
    const child = spawn("git", fullArgs, { cwd: options.cwd, env: gitEnvironment(options.env), stdio: ["pipe", "pipe", "pipe"] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const result = {
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8"),
        exitCode: code ?? (signal ? 128 : 1),
      };
      if (result.exitCode !== 0 && !options.allowFailure) reject(new GitError(args, result.exitCode, result.stderr));
      else resolve(result);
    });
    child.stdin.on("error", () => undefined); // git may exit before reading all input
    child.stdin.end(options.input ?? "");
  });
}

/** Hides anything that looks like a credential before an argument list is logged or thrown. */
export function redactArgs(args: string[]): string[] {
  return args.map((arg) => arg.replace(/(extraheader=)[^ ]+.*/i, "$1[redacted]").replace(/\/\/[^/@\s]+@/, "//[redacted]@"));
}

/** `git merge-base --is-ancestor`: exit 0 yes, 1 no, anything else is an error (e.g. an unknown commit). */
export async function isAncestor(cwd: string, commit: string, of: string): Promise<boolean> {
  const result = await git(["merge-base", "--is-ancestor", commit, of], { cwd, allowFailure: true });
  if (result.exitCode === 0) return true;
  if (result.exitCode === 1) return false;
  throw new GitError(["merge-base", "--is-ancestor", commit, of], result.exitCode, result.stderr);
}
