import { statSync } from "node:fs";
import path from "node:path";
import type { SandboxAccess } from "./access.js";
import { trustedReadOnlyPaths } from "./trusted-clones.js";
import {
  forbiddenRoots,
  maskMount,
  namedPaths,
  reachesForbidden,
  within,
  resolveExecutable,
  systemMount,
  toolchainRoot,
  MASKED_IN_ETC,
  SYSTEM_PATHS,
  type Mount,
} from "./view.js";

/**
 * The bubblewrap command line for one process (SPEC §14.1): new PID, IPC and
 * UTS namespaces (a fresh /proc shows only the sandbox's own processes, so no
 * `/proc/<okstra>/environ`), an empty root with read-only system paths, a
 * private /tmp, the clone, and only what the caller vouched for.
 * `--die-with-parent` and the PID namespace end every descendant — a
 * `setsid` loop included — when the process okstra started ends.
 */

export interface SandboxedCommand {
  command: string;
  args: string[];
}

export interface BwrapInput {
  bwrap: string;
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  access: SandboxAccess;
}

export function bwrapCommand(input: BwrapInput): SandboxedCommand {
  const { access } = input;
  const mounts = sortedMounts(plannedMounts(input));
  const args = [
    "--die-with-parent",
    "--new-session",
    "--unshare-pid",
    "--unshare-ipc",
    "--unshare-uts",
    "--unshare-cgroup-try",
  ];
  if (access.network === false) args.push("--unshare-net");
  args.push("--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp");
  for (const mount of mounts) args.push(...mountArgs(mount));
  // The root itself (where bwrap made the parents of the binds) is read-only: writes land only in binds and /tmp.
  args.push("--remount-ro", "/");
  args.push("--chdir", input.cwd, "--", input.command, ...input.args);
  return { command: input.bwrap, args };
}

function plannedMounts(input: BwrapInput): Mount[] {
  const { access } = input;
  const forbidden = forbiddenRoots();
  const vouched = [
    access.clone,
    ...(access.writablePaths ?? []),
    ...(access.readOnlyPaths ?? []),
    ...trustedReadOnlyPaths(access.clone),
  ];
  const mounts: Mount[] = [];
  for (const p of SYSTEM_PATHS) {
    const mount = systemMount(p);
    if (mount) mounts.push(mount);
  }
  // Hidden even inside the read-only system paths: /etc's own secrets, and whatever of okstra's lies there
  // (a private key under /etc, a checkout with its .env under /opt).
  const insideSystem = forbidden.filter((root) => SYSTEM_PATHS.some((system) => within(root, system)));
  for (const p of [...MASKED_IN_ETC, ...insideSystem]) {
    const mount = maskMount(p);
    if (mount) mounts.push(mount);
  }
  // Toolchain: node itself, the program and the PATH it searches; then what its command line names.
  const readable = new Set<string>([path.dirname(process.execPath)]);
  const executable = resolveExecutable(input.command, input.env.PATH);
  if (executable) readable.add(toolchainRoot(executable));
  for (const dir of (input.env.PATH ?? "").split(":").filter((d) => d.startsWith("/"))) {
    readable.add(dir.endsWith("/node_modules/.bin") ? path.dirname(dir) : dir);
  }
  for (const named of namedPaths([input.command, ...input.args])) readable.add(named);
  // A file okstra named in the worker's own (allow-listed) environment is one it means the worker to read,
  // e.g. gemini-cli's system settings (GEMINI_CLI_SYSTEM_SETTINGS_PATH): read-only, like the command line's paths.
  for (const named of namedPaths(Object.values(input.env).filter((v): v is string => typeof v === "string"))) {
    if (statSync(named).isFile()) readable.add(named);
  }
  // An interpreter's script (`node worker.mjs`) is a program too: its folder comes with it, as an executable's does.
  const [script] = namedPaths(input.args.slice(0, 1));
  if (script && statSync(script).isFile()) readable.add(toolchainRoot(script));
  for (const p of readable) {
    if (!reachesForbidden(p, forbidden, vouched) && !SYSTEM_PATHS.some((s) => p === s))
      mounts.push({ kind: "ro", path: p });
  }
  for (const p of [...(access.readOnlyPaths ?? []), ...trustedReadOnlyPaths(access.clone)])
    mounts.push({ kind: "ro", path: p });
  mounts.push({ kind: access.cloneWritable ? "rw" : "ro", path: access.clone });
  // okstra's own git reads this file outside the sandbox: a worker must not plant hooks, fsmonitor or filters in it.
  // Nor point the clone's object store at another repository's (the mirror cache), which okstra's own git then reads and pushes.
  if (access.cloneWritable) {
    mounts.push({ kind: "ro", path: path.join(access.clone, ".git", "config") });
    mounts.push({ kind: "ro", path: path.join(access.clone, ".git", "objects", "info", "alternates") });
  }
  for (const p of access.writablePaths ?? []) mounts.push({ kind: "rw", path: p });
  return mounts;
}

/** Parents before children, so a child mount is not hidden by its parent's; equal depth keeps the planned order. */
function sortedMounts(mounts: Mount[]): Mount[] {
  const depth = (m: Mount) => m.path.split("/").filter(Boolean).length;
  return mounts
    .map((m, i) => ({ m, i }))
    .sort((a, b) => depth(a.m) - depth(b.m) || a.i - b.i)
    .map(({ m }) => m);
}

function mountArgs(mount: Mount): string[] {
  switch (mount.kind) {
    case "ro":
      return ["--ro-bind-try", mount.path, mount.path];
    case "rw":
      return ["--bind-try", mount.path, mount.path];
    case "symlink":
      return ["--symlink", mount.target, mount.path];
    case "mask":
      return mount.dir ? ["--tmpfs", mount.path] : ["--ro-bind", "/dev/null", mount.path];
  }
}
