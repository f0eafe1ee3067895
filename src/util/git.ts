import { spawn } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";

/**
 * The one way okstra runs git (STYLE §8, SPEC §14.2–14.3): a fixed locale so
 * output can be parsed, no prompts, no user or system config, hooks and
 * fsmonitor off whatever a repository says, and a deadline that kills git and
 * every helper it started (`git-remote-http`) as one process group. A stalled
 * transfer also ends on its own through `http.lowSpeedLimit/Time`.
 *
 * Settings travel as `GIT_CONFIG_COUNT/KEY/VALUE` in git's environment, never
 * as `-c` arguments: the credential header among them would otherwise be
 * readable by any local process in `/proc/<pid>/cmdline`.
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

/**
 * What a failed network command ran into, named from git's own words so the engine matches on a type, not a
 * message: `auth` — the server refused the credential (git says "could not read Username … terminal prompts
 * disabled", "Authentication failed", HTTP 401); `permission` — it accepted it but refused the access (HTTP 403).
 */
export type GitFailure = "auth" | "permission" | "other";

function classifyGitFailure(stderr: string): GitFailure {
  if (/could not read Username|Authentication failed|HTTP 401|returned error: 401/i.test(stderr)) return "auth";
  if (/returned error: 403|HTTP 403|Permission .* denied|write access/i.test(stderr)) return "permission";
  return "other";
}

export class GitError extends Error {
  readonly failure: GitFailure;

  constructor(
    readonly args: string[],
    readonly exitCode: number,
    readonly stderr: string,
  ) {
    super(`git ${redactArgs(args).join(" ")} failed (${exitCode}): ${stderr.trim().split("\n").slice(-3).join(" | ")}`);
    this.name = "GitError";
    this.failure = classifyGitFailure(stderr);
  }
}

const DEFAULT_TIMEOUT_MS = 5 * 60_000;

/** Below 1 KiB/s for 60 s, a transfer has stalled (a server that accepts and never answers). */
const LOW_SPEED_LIMIT = "1000";
const LOW_SPEED_TIME = process.env.OKSTRA_GIT_LOW_SPEED_SECONDS || "60";

/** Set on every git command okstra runs, above anything a repository's config says. */
const ALWAYS: Array<[string, string]> = [
  ["core.hooksPath", "/dev/null"],
  ["core.fsmonitor", "false"],
  ["http.lowSpeedLimit", LOW_SPEED_LIMIT],
  ["http.lowSpeedTime", LOW_SPEED_TIME],
  ["protocol.ext.allow", "never"],
];

/** Config keys that make git run a program; in an untrusted repository each is set to nothing. */
const RUNS_A_PROGRAM = [
  /^filter\..+\.(clean|smudge|process)$/,
  /^diff\..+\.(textconv|command)$/,
  /^merge\..+\.driver$/,
  /^(core\.(sshcommand|pager|editor|askpass|gitproxy|alternaterefscommand)|sequence\.editor|gpg\..*program|gpg\.ssh\.defaultkeycommand|credential\.helper|uploadpack\.packobjectshook|receive\.procreceiverefs)$/,
];

/** Environment for git: only what it needs, nothing inherited that could carry a secret. */
export function gitEnvironment(
  extra: Record<string, string> = {},
  config: Array<[string, string]> = [],
): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: process.env.HOME ?? "/tmp",
    LANG: "C.UTF-8",
    LC_ALL: "C.UTF-8",
    GIT_TERMINAL_PROMPT: "0",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_ATTR_NOSYSTEM: "1",
    GIT_AUTHOR_NAME: "okstra",
    GIT_AUTHOR_EMAIL: "okstra@users.noreply.github.com",
    GIT_COMMITTER_NAME: "okstra",
    GIT_COMMITTER_EMAIL: "okstra@users.noreply.github.com",
  };
  if (process.env.TMPDIR) env.TMPDIR = process.env.TMPDIR;
  const settings = [...ALWAYS, ...config];
  settings.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  env.GIT_CONFIG_COUNT = String(settings.length);
  return { ...env, ...extra };
}

/**
 * The overrides last computed per directory, kept while its config file is
 * unchanged (same size, ctime and inode): listing the config costs a git
 * process per command otherwise. Never kept when the config includes other
 * files or the repository borrows its config through `commondir`.
 */
const settingsCache = new Map<string, { stamp: string; settings: Array<[string, string]> }>();

function configStamp(cwd: string): string | null {
  if (existsSync(join(cwd, ".git", "commondir"))) return null;
  for (const file of [join(cwd, ".git", "config"), join(cwd, "config")]) {
    try {
      const info = statSync(file);
      return `${file}:${info.size}:${info.ctimeMs}:${info.ino}`;
    } catch {
      // not this layout
    }
  }
  return null;
}

/** Overrides for every program-running setting the repository's config (and what it includes) holds. */
async function neutralisedSettings(cwd: string): Promise<Array<[string, string]>> {
  const stamp = configStamp(cwd);
  const cached = settingsCache.get(cwd);
  if (stamp !== null && cached?.stamp === stamp) return cached.settings;
  const listed = await spawnGit(["config", "--null", "--name-only", "--list"], { cwd }, []);
  const names = new Set(
    listed.stdout
      .split("\0")
      .filter(Boolean)
      .map((n) => n.toLowerCase()),
  );
  const settings: Array<[string, string]> = [];
  for (const name of names) {
    if (!RUNS_A_PROGRAM.some((pattern) => pattern.test(name))) continue;
    // An empty textconv is an error, not "none": `cat` shows the file as it is, which is what no textconv means.
    settings.push([name, name.endsWith(".textconv") ? "cat" : ""]);
    const filter = name.match(/^filter\.(.+)\.(clean|smudge|process)$/);
    if (filter) settings.push([`filter.${filter[1]}.required`, "false"]);
  }
  const includes = [...names].some((name) => name.startsWith("include"));
  if (stamp !== null && !includes) settingsCache.set(cwd, { stamp, settings });
  if (settingsCache.size > 500) settingsCache.delete(settingsCache.keys().next().value!);
  return settings;
}

export async function git(args: string[], options: GitOptions): Promise<GitResult> {
  // Any repository may have been written by a worker (a clone) or by anyone (a user's checkout): its
  // settings that run a program (filters, textconv, diff/merge drivers, ssh/editor/pager) are overridden.
  // A copy: the cached overrides are the repository's; this command's header must not join them for the next one.
  const config = [...(await neutralisedSettings(options.cwd))];
  if (options.extraHeader) config.push(["http.extraheader", options.extraHeader]);
  const result = await spawnGit(withoutExternalDiff(args), options, config);
  if (result.exitCode !== 0 && !options.allowFailure) throw new GitError(args, result.exitCode, result.stderr);
  return result;
}

/**
 * `diff.external` runs a program on every patch, and no config value turns it off (an empty one is an error):
 * the commands that print patches get `--no-ext-diff`, which wins over any configuration.
 */
function withoutExternalDiff(args: string[]): string[] {
  const [command, ...rest] = args;
  return command === "diff" || command === "log" || command === "show" ? [command, "--no-ext-diff", ...rest] : args;
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // already gone
  }
}

/** One git process as the leader of its own group: the deadline ends it and every helper it started. */
function spawnGit(args: string[], options: GitOptions, config: Array<[string, string]>): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", args, {
      cwd: options.cwd,
      env: gitEnvironment(options.env, config),
      stdio: ["pipe", "pipe", "pipe"],
      detached: true,
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
      // A helper that left the group may still hold the pipes: stop waiting for them.
      setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
      }, 1_000).unref();
    }, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const killed = timedOut
        ? `\nokstra: git killed at its ${Math.round((options.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000)} s deadline`
        : "";
      resolve({
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8") + killed,
        exitCode: code ?? (signal ? 128 : 1),
      });
    });
    child.stdin.on("error", () => undefined); // git may exit before reading all input
    child.stdin.end(options.input ?? "");
  });
}

/** Hides anything that looks like a credential before an argument list is logged or thrown (callers' own `-c` arguments). */
export function redactArgs(args: string[]): string[] {
  return args.map((arg) =>
    arg.replace(/(extraheader=)[^ ]+.*/i, "$1[redacted]").replace(/\/\/[^/@\s]+@/, "//[redacted]@"),
  );
}

/** `git merge-base --is-ancestor`: exit 0 yes, 1 no, anything else is an error (e.g. an unknown commit). */
export async function isAncestor(cwd: string, commit: string, of: string): Promise<boolean> {
  const result = await git(["merge-base", "--is-ancestor", commit, of], { cwd, allowFailure: true });
  if (result.exitCode === 0) return true;
  if (result.exitCode === 1) return false;
  throw new GitError(["merge-base", "--is-ancestor", commit, of], result.exitCode, result.stderr);
}
