import { randomBytes } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, stat, unlink, writeFile, appendFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { git } from "../../util/git.js";

/**
 * The file store behind the local platform: JSON records under
 * `DIR/.okstra-local/`, safe with several okstra processes writing at once.
 * - ids come from exclusive file creation (`wx`), never from "max + 1" alone;
 * - every record is written to a temp file and renamed, so a reader never sees half a file;
 * - read-modify-write of one record holds a lock file.
 */

export const STORE_DIRNAME = ".okstra-local";

export function storePath(repoDir: string, ...parts: string[]): string {
  return join(resolve(repoDir), STORE_DIRNAME, ...parts);
}

const excluded = new Map<string, Promise<void>>();

/**
 * Makes the store directory and keeps it out of `git status` through
 * `info/exclude` (never `.gitignore`, which is tracked). The exclude check
 * runs once per repository and process; every write calls this.
 */
export async function ensureStore(repoDir: string): Promise<void> {
  const root = resolve(repoDir);
  await mkdir(storePath(root), { recursive: true });
  let done = excluded.get(root);
  if (!done) {
    done = excludeStore(root).catch((error: unknown) => {
      excluded.delete(root);
      throw error;
    });
    excluded.set(root, done);
  }
  await done;
}

async function excludeStore(repoDir: string): Promise<void> {
  const { stdout } = await git(["rev-parse", "--git-path", "info/exclude"], { cwd: repoDir });
  const excludeFile = resolve(repoDir, stdout.trim());
  const current = await readFile(excludeFile, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return "";
    throw error;
  });
  const entry = `${STORE_DIRNAME}/`;
  if (current.split(/\r?\n/).some((line) => line.trim() === entry || line.trim() === `/${entry}`)) return;
  await mkdir(dirname(excludeFile), { recursive: true });
  await appendFile(excludeFile, `${current === "" || current.endsWith("\n") ? "" : "\n"}${entry}\n`);
}

export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  await writeFile(temp, `${JSON.stringify(value, null, 2)}\n`);
  await rename(temp, file);
}

export async function readJson<T>(file: string): Promise<T | null> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

/** The numbers of the `<n>.json` records in a directory (temp and lock files are skipped), ascending. */
export async function recordNumbers(dir: string): Promise<number[]> {
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [] as string[];
    throw error;
  });
  return names
    .map((name) => /^(\d+)\.json$/.exec(name)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

/**
 * Claims the lowest free id above every id already claimed in `registry` (and
 * above `floor`) by creating `registry/<id>` exclusively: of several processes
 * trying the same id, exactly one succeeds and the others move on to the next.
 * `note` is written into the claim (e.g. which issue a comment id belongs to).
 */
export async function claimId(registry: string, options: { floor?: number; note?: string } = {}): Promise<number> {
  await mkdir(registry, { recursive: true });
  const claimed = (await readdir(registry)).filter((name) => /^\d+$/.test(name)).map(Number);
  let id = Math.max(options.floor ?? 0, ...claimed) + 1;
  for (;;) {
    if (await claimExact(registry, id, options.note)) return id;
    id += 1;
  }
}

/** Claims one given id; false when it is already taken. */
export async function claimExact(registry: string, id: number, note = ""): Promise<boolean> {
  await mkdir(registry, { recursive: true });
  try {
    const handle = await open(join(registry, String(id)), "wx");
    try {
      await handle.writeFile(note);
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
}

export async function readClaim(registry: string, id: number): Promise<string | null> {
  return readFile(join(registry, String(id)), "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return null;
    throw error;
  });
}

const LOCK_STALE_MS = 30_000;
const LOCK_TIMEOUT_MS = 60_000;

/**
 * Runs `fn` while holding `<file>.lock`, so two read-modify-writes of one
 * record (say, two reactions on one comment) cannot lose each other's change.
 * A lock left by a crashed process is broken once it is older than 30 s.
 */
export async function withLock<T>(file: string, fn: () => Promise<T>): Promise<T> {
  const lock = `${file}.lock`;
  await mkdir(dirname(file), { recursive: true });
  const deadline = Date.now() + LOCK_TIMEOUT_MS;
  for (;;) {
    try {
      await (await open(lock, "wx")).close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const age = await stat(lock).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > LOCK_STALE_MS) await unlink(lock).catch(() => undefined);
      else if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      else await new Promise((done) => setTimeout(done, 5 + Math.random() * 20));
    }
  }
  try {
    return await fn();
  } finally {
    await unlink(lock).catch(() => undefined);
  }
}
