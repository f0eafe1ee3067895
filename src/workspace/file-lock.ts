import { randomBytes } from "node:crypto";
import { link, open, readFile, rename, stat, unlink, utimes } from "node:fs/promises";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * A lock file created with O_EXCL (`open(path, "wx")`).
 *
 * Why this and not something else: Node has no flock(2), and an in-process
 * mutex would not stop a second okstra process (a BullMQ worker, the CLI)
 * from fetching into the same mirror. O_EXCL creation is atomic on every
 * local file system, needs no native module, and works the same for two runs
 * in one process and for two processes. Its weakness — a holder that dies
 * leaves the file behind — is covered two ways: the holder touches the file
 * while it works (heartbeat), so a lock whose mtime is older than `staleMs`
 * belongs to a dead or hung process; and a holder on this host whose pid no
 * longer exists is stale at once.
 */

export interface FileLockOptions {
  /** A lock not touched for this long is considered abandoned. */
  staleMs?: number;
  /** Give up waiting after this long. */
  timeoutMs?: number;
}

export class LockTimeoutError extends Error {
  constructor(
    readonly lockPath: string,
    waitedMs: number,
  ) {
    super(`timed out after ${waitedMs} ms waiting for ${lockPath}`);
    this.name = "LockTimeoutError";
  }
}

const DEFAULT_STALE_MS = 2 * 60_000;
const DEFAULT_TIMEOUT_MS = 30 * 60_000;
const MAX_POLL_MS = 200;

interface LockHolder {
  pid: number;
  host: string;
}

export async function withFileLock<T>(lockPath: string, options: FileLockOptions, fn: () => Promise<T>): Promise<T> {
  const staleMs = options.staleMs ?? DEFAULT_STALE_MS;
  const inode = await acquire(lockPath, staleMs, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const heartbeat = setInterval(
    () => {
      const now = new Date();
      utimes(lockPath, now, now).catch(() => undefined);
    },
    Math.max(staleMs / 3, 10),
  );
  heartbeat.unref();
  try {
    return await fn();
  } finally {
    clearInterval(heartbeat);
    await release(lockPath, inode);
  }
}

async function acquire(lockPath: string, staleMs: number, timeoutMs: number): Promise<number> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    const inode = await tryCreate(lockPath);
    if (inode !== null) return inode;
    if (await breakIfStale(lockPath, staleMs)) continue;
    const waited = Date.now() - started;
    if (waited > timeoutMs) throw new LockTimeoutError(lockPath, waited);
    // Back off quickly to a short poll, with jitter so waiters do not retry in step.
    await sleep(Math.min(MAX_POLL_MS, 10 * 2 ** Math.min(attempt, 5)) * (0.5 + Math.random()));
  }
}

async function tryCreate(lockPath: string): Promise<number | null> {
  try {
    const handle = await open(lockPath, "wx");
    try {
      const holder: LockHolder = { pid: process.pid, host: hostname() };
      await handle.writeFile(JSON.stringify(holder));
      return (await handle.stat()).ino;
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (errorCode(error) === "EEXIST") return null;
    throw error;
  }
}

/**
 * Removes an abandoned lock. Two waiters may judge the same lock stale, so the
 * file is first renamed to a private name (only one rename can win); if what
 * was renamed turns out to be a fresh lock taken in between, it is linked back.
 */
async function breakIfStale(lockPath: string, staleMs: number): Promise<boolean> {
  const seen = await stat(lockPath).catch(() => null);
  if (!seen) return true; // released meanwhile: try again at once
  const fresh = Date.now() - seen.mtimeMs <= staleMs;
  if (fresh && !(await holderIsDeadHere(lockPath))) return false;
  const tomb = `${lockPath}.stale-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    await rename(lockPath, tomb);
  } catch (error) {
    if (errorCode(error) === "ENOENT") return true;
    throw error;
  }
  const taken = await stat(tomb);
  if (taken.ino !== seen.ino) await link(tomb, lockPath).catch(() => undefined);
  await unlink(tomb).catch(() => undefined);
  return true;
}

async function holderIsDeadHere(lockPath: string): Promise<boolean> {
  const text = await readFile(lockPath, "utf8").catch(() => "");
  let holder: Partial<LockHolder>;
  try {
    holder = JSON.parse(text) as Partial<LockHolder>;
  } catch {
    return false; // being written right now, or unreadable: judge by age only
  }
  return holder.host === hostname() && typeof holder.pid === "number" && !processExists(holder.pid);
}

export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === "EPERM"; // exists, owned by someone else
  }
}

/** Unlinks the lock only if it is still ours (a lock broken as stale may since belong to someone else). */
async function release(lockPath: string, inode: number): Promise<void> {
  const current = await stat(lockPath).catch(() => null);
  if (current?.ino === inode) await unlink(lockPath).catch(() => undefined);
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}
