import { spawnSync } from "node:child_process";

/**
 * Whether okstra may run repository content at all (SPEC §14.1): with a
 * working bubblewrap, or — only when the operator says so in as many words —
 * with `OKSTRA_SANDBOX=off`. Anything else is a refusal that says what to do.
 */

export type SandboxState = { mode: "on"; bwrap: string } | { mode: "off" } | { mode: "unavailable"; reason: string };

/** What an operator reads when no sandbox can be made: why, and the two ways out. */
export const SANDBOX_HELP =
  "Install bubblewrap (`apt-get install bubblewrap`; in a container run it with `--security-opt seccomp=unconfined --security-opt apparmor=unconfined`, or `--privileged`), or set `OKSTRA_SANDBOX=off` to run workers unconfined on a host you dedicate to okstra.";

export class SandboxUnavailableError extends Error {
  constructor(readonly reason: string) {
    super(`okstra runs no worker or repository command without a sandbox: ${reason}. ${SANDBOX_HELP}`);
    this.name = "SandboxUnavailableError";
  }
}

/** `OKSTRA_BWRAP` names the bubblewrap binary (default `bwrap` on PATH); tests point it at a missing file. */
export function bwrapBinary(env: NodeJS.ProcessEnv = process.env): string {
  return env.OKSTRA_BWRAP || "bwrap";
}

const probed = new Map<string, string | null>();

/**
 * Runs the smallest sandbox okstra will need (new PID/IPC/UTS namespaces, a
 * fresh /proc) once per binary. A binary that exists but cannot make
 * namespaces (a container without the flags) fails here, not mid-run.
 */
function probe(bwrap: string): string | null {
  const known = probed.get(bwrap);
  if (known !== undefined) return known;
  const result = spawnSync(
    bwrap,
    [
      "--ro-bind",
      "/",
      "/",
      "--unshare-pid",
      "--unshare-ipc",
      "--unshare-uts",
      "--proc",
      "/proc",
      "--dev",
      "/dev",
      "--die-with-parent",
      "--",
      "true",
    ],
    { encoding: "utf8", timeout: 10_000, stdio: ["ignore", "ignore", "pipe"] },
  );
  const failure = result.error
    ? `\`${bwrap}\` cannot be started (${result.error.message})`
    : result.status !== 0
      ? `\`${bwrap}\` cannot create namespaces here (${(result.stderr ?? "").trim().split("\n").pop() || `exit ${result.status}`})`
      : null;
  probed.set(bwrap, failure);
  return failure;
}

export function sandboxState(env: NodeJS.ProcessEnv = process.env): SandboxState {
  const setting = (env.OKSTRA_SANDBOX ?? "").trim().toLowerCase();
  if (setting === "off") return { mode: "off" };
  if (setting !== "" && setting !== "on") {
    return {
      mode: "unavailable",
      reason: `OKSTRA_SANDBOX is "${env.OKSTRA_SANDBOX}"; it takes \`on\` (the default) or \`off\``,
    };
  }
  const bwrap = bwrapBinary(env);
  const failure = probe(bwrap);
  return failure ? { mode: "unavailable", reason: failure } : { mode: "on", bwrap };
}

/** Throws the operator-facing refusal unless workers can run (sandboxed, or explicitly unconfined). */
export function assertSandboxReady(
  env: NodeJS.ProcessEnv = process.env,
): Exclude<SandboxState, { mode: "unavailable" }> {
  const state = sandboxState(env);
  if (state.mode === "unavailable") throw new SandboxUnavailableError(state.reason);
  return state;
}

/** One line for `/healthz`, logs and status footers when workers run unconfined; null when they do not. */
export function sandboxOffNotice(env: NodeJS.ProcessEnv = process.env): string | null {
  return (env.OKSTRA_SANDBOX ?? "").trim().toLowerCase() === "off"
    ? "⚠️ sandbox off (OKSTRA_SANDBOX=off): workers run unconfined on the okstra host"
    : null;
}
