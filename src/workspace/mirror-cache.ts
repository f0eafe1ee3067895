import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { GitRemote } from "../platform/types.js";
import { git } from "../util/git.js";
import type { Logger } from "../util/log.js";
import { withFileLock, type FileLockOptions } from "./file-lock.js";
import { absoluteRemoteUrl, assertCredentialFreeUrl, mirrorKey } from "./remote-url.js";

/**
 * One bare mirror per repository (SPEC §6.2), so a run's clone borrows the
 * history instead of downloading it again. The mirror never stores the remote
 * URL nor any credential: every fetch names the URL and refspecs on the
 * command line and gets the token as a per-command header.
 *
 * Every use goes through `withFreshMirror`, which holds the mirror's lock while
 * it fetches and while the caller snapshots refs from it (a `clone --shared`
 * takes milliseconds). Git's own ref and pack locking already keeps two
 * concurrent fetches from corrupting a repository, but not from failing with
 * "cannot lock ref", from downloading the same pack twice, nor two first uses
 * from both creating the mirror — hence the lock.
 */

export interface MirrorCacheOptions {
  /** Defaults to `OKSTRA_CACHE_DIR`, else `<tmpdir>/okstra-cache`. */
  cacheDir?: string;
  log?: Logger;
  lock?: FileLockOptions;
  /** A first fetch of a large repository can take long; later ones are incremental. */
  fetchTimeoutMs?: number;
}

export interface Mirror {
  /** The bare repository's directory. */
  path: string;
  key: string;
  /** True when this use created the mirror (a first, full fetch). */
  created: boolean;
}

/** Written last when a mirror is created; its presence means the mirror is complete. */
export const MIRROR_MARKER = "okstra-mirror.json";

const DEFAULT_FETCH_TIMEOUT_MS = 60 * 60_000;
const MIRROR_REFSPECS = ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"];
/** Okstra's token-bearing commands never run hooks, whatever a global config says. */
export const NO_HOOKS = ["-c", "core.hooksPath=/dev/null"];

/**
 * Mirror settings that matter for the clones borrowing from it (alternates):
 * a clone's objects are reachable from the mirror's refs when it is made, but
 * a later `fetch --prune` can drop such a ref (a force-push or a deleted
 * branch upstream). Git then keeps the now unreachable objects for
 * `gc.pruneExpire` before deleting them — two weeks, far beyond any run — and
 * `gc.autoDetach=false` makes the automatic gc run inside the fetch, under our
 * lock, rather than in the background next to another process's fetch.
 */
const MIRROR_CONFIG: Array<[string, string]> = [
  ["gc.autoDetach", "false"],
  ["gc.pruneExpire", "2.weeks.ago"],
  ["core.logAllRefUpdates", "false"],
];

export function defaultCacheDir(): string {
  return process.env.OKSTRA_CACHE_DIR || join(tmpdir(), "okstra-cache");
}

export function mirrorPath(url: string, cacheDir: string = defaultCacheDir()): string {
  return join(cacheDir, "mirrors", `${mirrorKey(url)}.git`);
}

/** Creates or fetches the remote's mirror, then runs `fn` while still holding the mirror's lock. */
export async function withFreshMirror<T>(
  remote: GitRemote,
  options: MirrorCacheOptions,
  fn: (mirror: Mirror) => Promise<T>,
): Promise<T> {
  assertCredentialFreeUrl(remote.url);
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const key = mirrorKey(remote.url);
  const path = mirrorPath(remote.url, cacheDir);
  await mkdir(join(cacheDir, "mirrors"), { recursive: true });
  return withFileLock(`${path}.lock`, options.lock ?? {}, async () => {
    const started = Date.now();
    const created = !(await isComplete(path));
    if (created) await createMirror(remote, path, options);
    else await fetchInto(path, remote, options);
    options.log?.info(
      { mirror: key, created, durationMs: Date.now() - started },
      created ? "mirror created" : "mirror fetched",
    );
    return fn({ path, key, created });
  });
}

export function refreshMirror(remote: GitRemote, options: MirrorCacheOptions = {}): Promise<Mirror> {
  return withFreshMirror(remote, options, async (mirror) => mirror);
}

/**
 * Fetches one commit by id into the mirror, for a base that no branch holds
 * any more. No ref is written: the run needs it for minutes, and the two-week
 * prune window above outlives that.
 */
export async function fetchCommitIntoMirror(
  remote: GitRemote,
  commit: string,
  options: MirrorCacheOptions,
): Promise<boolean> {
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(commit)) return false; // only full ids can be asked for
  return withFreshMirror(remote, options, async (mirror) => {
    const args = [...NO_HOOKS, "fetch", "--no-tags", "--quiet", absoluteRemoteUrl(remote.url), commit];
    const result = await git(args, {
      cwd: mirror.path,
      extraHeader: remote.extraHeader,
      allowFailure: true,
      timeoutMs: options.fetchTimeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS,
    });
    return result.exitCode === 0;
  });
}

async function isComplete(path: string): Promise<boolean> {
  return (await stat(join(path, MIRROR_MARKER)).catch(() => null)) !== null;
}

/** Built beside its final place and renamed into it, so a crash never leaves a half-fetched mirror in use. */
async function createMirror(remote: GitRemote, path: string, options: MirrorCacheOptions): Promise<void> {
  const building = `${path}.building-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    await git(["init", "--bare", "--quiet", building], { cwd: dirname(path) });
    for (const [key, value] of MIRROR_CONFIG) await git(["config", key, value], { cwd: building });
    await fetchInto(building, remote, options);
    await writeFile(
      join(building, MIRROR_MARKER),
      `${JSON.stringify({ createdAt: new Date().toISOString(), url: remote.url })}\n`,
    );
    await rm(path, { recursive: true, force: true }); // an incomplete leftover without a marker
    await rename(building, path);
  } catch (error) {
    await rm(building, { recursive: true, force: true });
    throw error;
  }
}

async function fetchInto(path: string, remote: GitRemote, options: MirrorCacheOptions): Promise<void> {
  const args = [
    ...NO_HOOKS,
    "fetch",
    "--prune",
    "--no-tags",
    "--quiet",
    absoluteRemoteUrl(remote.url),
    ...MIRROR_REFSPECS,
  ];
  await git(args, {
    cwd: path,
    extraHeader: remote.extraHeader,
    timeoutMs: options.fetchTimeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS,
  });
}
