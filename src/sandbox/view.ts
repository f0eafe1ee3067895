import { existsSync, lstatSync, readlinkSync, realpathSync, statSync } from "node:fs";
import path from "node:path";
import { keyFilePath } from "../ledger/ledger-key.js";
import { defaultCacheDir } from "../workspace/mirror-cache.js";
import { defaultWorkspaceRoot } from "../workspace/run-directory.js";

/**
 * The host paths a sandboxed process can see, and the ones it never may.
 * Everything here is read-only unless the caller asked for it read-write.
 */

/** System and toolchain directories, read-only; missing ones are skipped, merged-/usr symlinks kept as links. */
export const SYSTEM_PATHS = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/opt"];

/** Secrets of the host's own that `/etc` holds: hidden even read-only. */
export const MASKED_IN_ETC = [
  "/etc/shadow",
  "/etc/gshadow",
  "/etc/shadow-",
  "/etc/gshadow-",
  "/etc/ssh",
  "/etc/ssl/private",
  "/etc/sudoers",
  "/etc/sudoers.d",
];

/** What okstra's own HOME may hold that is not a worker's to use. */
const HOME_SECRETS = [
  ".ssh",
  ".git-credentials",
  ".gitconfig",
  ".config",
  ".netrc",
  ".npmrc",
  ".aws",
  ".docker",
  ".kube",
  ".gnupg",
  ".claude",
  ".claude.json",
  ".codex",
  ".gemini",
  ".env",
];

/**
 * Paths no bind may reach or contain: the mirror cache (every repository's
 * history), the run directories (other runs' clones), the secrets in okstra's
 * own HOME (`~/.ssh`, `~/.git-credentials`, agent logins; binding HOME itself
 * is refused since it contains them) and okstra's `.env` and private key.
 */
export function forbiddenRoots(env: NodeJS.ProcessEnv = process.env): string[] {
  const roots = [
    defaultCacheDir(),
    defaultWorkspaceRoot(),
    // The CLI's ledger signing key: with it a worker could sign forged ledger rows (SPEC §14.5).
    keyFilePath(env),
    path.join(process.cwd(), ".env"),
    ...HOME_SECRETS.map((name) => (env.HOME ? path.join(env.HOME, name) : undefined)),
    env.PRIVATE_KEY_PATH ? path.resolve(env.PRIVATE_KEY_PATH) : undefined,
  ];
  return roots.filter((root): root is string => Boolean(root)).map(realOrSelf);
}

export function realOrSelf(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

export function within(child: string, parent: string): boolean {
  return child === parent || child.startsWith(parent.endsWith("/") ? parent : `${parent}/`);
}

/** True when binding `p` would show a forbidden root or something inside one (unless `allowed` is that very thing). */
export function reachesForbidden(p: string, forbidden: readonly string[], allowed: readonly string[] = []): boolean {
  const real = realOrSelf(p);
  if (allowed.some((a) => within(real, a))) return false;
  return forbidden.some((root) => within(real, root) || within(root, real));
}

/** An executable as the process will find it: an absolute path, or the first match on PATH. */
export function resolveExecutable(command: string, searchPath: string | undefined): string | undefined {
  if (command.includes("/")) return existsSync(command) ? path.resolve(command) : undefined;
  for (const dir of (searchPath ?? "").split(":").filter(Boolean)) {
    const candidate = path.join(dir, command);
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/**
 * The directory a program needs to run: its own folder (a fixture's helper
 * sits next to it), or — for a package — the outermost `node_modules` it is
 * installed in (an agent CLI's dependencies and native binaries are siblings).
 */
export function toolchainRoot(file: string): string {
  const real = realOrSelf(file);
  const marker = `${path.sep}node_modules${path.sep}`;
  for (const candidate of [file, real]) {
    const at = candidate.indexOf(marker);
    if (at >= 0) return candidate.slice(0, at + marker.length - 1);
  }
  return path.dirname(real);
}

/** Absolute paths named on a command line (`/x`, `--flag=/x`) that exist. */
export function namedPaths(args: readonly string[]): string[] {
  const found: string[] = [];
  for (const arg of args) {
    const value = arg.startsWith("/") ? arg : arg.match(/^--?[\w-]+=(\/.*)$/)?.[1];
    if (value && !value.includes("\n") && value.length < 4096 && existsSync(value)) found.push(value);
  }
  return found;
}

export type Mount =
  | { kind: "ro" | "rw"; path: string }
  | { kind: "symlink"; path: string; target: string }
  | { kind: "mask"; path: string; dir: boolean };

/** `/bin -> usr/bin` on merged-/usr systems stays a link; a real directory is bound. */
export function systemMount(p: string): Mount | undefined {
  try {
    const stat = lstatSync(p);
    if (stat.isSymbolicLink()) return { kind: "symlink", path: p, target: readlinkSync(p) };
    return { kind: "ro", path: p };
  } catch {
    return undefined;
  }
}

export function maskMount(p: string): Mount | undefined {
  try {
    return { kind: "mask", path: p, dir: lstatSync(p).isDirectory() };
  } catch {
    return undefined;
  }
}
