import { rmSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, readlink, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { processExists } from "./file-lock.js";

/**
 * Run directories must not outlive their run (SPEC §6.2). `dispose()` covers
 * success and failure; this module covers the process going away:
 *
 * - on `exit` (normal end, `process.exit`), every live directory is removed
 *   synchronously — the only kind of work an exit handler can do;
 * - on SIGTERM/SIGINT, when nothing else in the process handles the signal
 *   (so the default action would kill it), the directories are removed and the
 *   signal is raised again so the process still dies of it. When something
 *   else does handle it (a graceful shutdown draining its runs), running
 *   workspaces are left alone and the `exit` handler cleans up at the end;
 * - after SIGKILL or a crash nothing runs, so each directory records its owner
 *   and `sweepOrphanedWorkspaces` removes those whose process is gone — after
 *   killing what still works inside (a worker started in its own process group
 *   outlives a SIGKILLed parent, and would go on writing into the directory).
 */

export const OWNER_FILE = "okstra-owner.json";

const live = new Set<string>();
let handlersInstalled = false;

interface Owner {
  pid: number;
  host: string;
  runId: string;
  createdAt: string;
}

export function defaultWorkspaceRoot(): string {
  return join(tmpdir(), "okstra-runs");
}

/** A fresh directory for one run, recorded with its owner and removed at process exit at the latest. */
export async function createRunDirectory(root: string, runId: string): Promise<string> {
  await mkdir(root, { recursive: true });
  const safeRunId = runId.replace(/[^A-Za-z0-9._-]+/g, "-").slice(0, 60) || "run";
  const dir = await mkdtemp(join(root, `${safeRunId}-`));
  installHandlers();
  live.add(dir);
  const owner: Owner = { pid: process.pid, host: hostname(), runId, createdAt: new Date().toISOString() };
  await writeFile(join(dir, OWNER_FILE), `${JSON.stringify(owner)}\n`);
  return dir;
}

/** Removes a run directory; retries because a worker's last child may still be closing files in it. */
export async function removeRunDirectory(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 100 });
  live.delete(dir);
}

/** Removes the run directories under `root` whose owning process on this host no longer exists. */
export async function sweepOrphanedWorkspaces(root: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  const removed: string[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const dir = join(root, entry.name);
    const owner = await readOwner(dir);
    if (!owner || owner.host !== hostname() || live.has(dir) || processExists(owner.pid)) continue;
    await killProcessesWorkingIn(dir);
    await rm(dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 100 });
    removed.push(dir);
  }
  return removed;
}

/**
 * SIGKILLs every process of this user whose working directory is `dir` or
 * below it — the orphaned executor and its children (Linux `/proc`; elsewhere
 * nothing is found and only the directory goes).
 */
export async function killProcessesWorkingIn(dir: string): Promise<number[]> {
  const entries = await readdir("/proc").catch(() => [] as string[]);
  const killed: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    const cwd = await readlink(join("/proc", entry, "cwd")).catch(() => null);
    if (cwd === null || (cwd !== dir && !cwd.startsWith(`${dir}/`))) continue;
    try {
      process.kill(pid, "SIGKILL");
      killed.push(pid);
    } catch {
      // gone meanwhile, or not ours
    }
  }
  return killed;
}

async function readOwner(dir: string): Promise<Owner | null> {
  try {
    return JSON.parse(await readFile(join(dir, OWNER_FILE), "utf8")) as Owner;
  } catch {
    return null; // not a run directory, or one still being created
  }
}

function removeAllSync(): void {
  for (const dir of live) rmSync(dir, { recursive: true, force: true });
  live.clear();
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on("exit", removeAllSync);
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    // First in line, so it sees whether anyone else listens before a `once` listener (a graceful
    // shutdown) has removed itself — listening last, it found none and killed a draining worker.
    const onSignal = () => {
      if (process.listenerCount(signal) > 0) {
        // Someone else shuts down gracefully; `exit` cleans up. Stay first in line for the next signal.
        process.prependOnceListener(signal, onSignal);
        return;
      }
      removeAllSync();
      process.kill(process.pid, signal); // no listener left, so the default action: die of the signal
    };
    process.prependOnceListener(signal, onSignal);
  }
}
