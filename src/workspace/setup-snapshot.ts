import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { lstat, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { git } from "../util/git.js";
import { repoCacheName } from "./dependency-cache.js";
import { defaultCacheDir } from "./mirror-cache.js";

/**
 * Snapshots of what `setup:` installed (SPEC §3, §13), so a later workspace
 * of the same repository and the same dependency set gets its `node_modules`
 * by copying instead of by running `npm ci` again — a package cache alone
 * does not make `npm ci` faster, it deletes and relinks every module.
 *
 * - **Key**: the setup commands, the platform and node version, and the
 *   commit's tree id. Manifests and lockfiles are not enough: an install
 *   also runs what they do not name (a `postinstall` script, a `file:`
 *   dependency, `patches/`), so a snapshot is restored only into the very
 *   tree that made it — retries, reruns and every stage that starts from the
 *   same commit.
 * - **Trust** (SPEC §14): only the tree of the task's base commit stores a
 *   snapshot. A tree an earlier stage's worker shaped runs setup fresh and
 *   stores nothing, so no worker decides what a later workspace restores.
 * - **Copies, never links**: stored and restored with `cp -a --reflink=auto`
 *   (a reflink is copy-on-write). A hardlink would let a worker writing into
 *   its own `node_modules` change the snapshot for every later workspace.
 * - **Atomic**: written into a temp dir and renamed into place; a reader sees
 *   a whole snapshot or none. The snapshot root is never bound into a sandbox.
 * - **Only install trees**: stored when everything setup created untracked is
 *   a `node_modules` tree or yarn's PnP files; a setup that also built
 *   something (`dist/`) depends on sources the key does not cover, so it is
 *   not stored.
 */

const exec = promisify(execFile);

const MANIFEST = "okstra-snapshot.json";

/** The key of the install `commands` produce in the tree of `commit`. */
export async function setupSnapshotKey(cwd: string, commit: string, commands: readonly string[]): Promise<string> {
  const tree = (await git(["rev-parse", `${commit}^{tree}`], { cwd })).stdout.trim();
  const hash = createHash("sha256");
  hash.update(
    JSON.stringify({ commands, platform: process.platform, arch: process.arch, node: process.version, tree }),
  );
  return hash.digest("hex").slice(0, 32);
}

/**
 * True when `cwd`'s HEAD is the tree of `trustedCommit`, unchanged on disk: the only tree whose install is
 * stored, and whose install scripts may use the trusted package cache.
 */
export async function installInputsTrusted(cwd: string, trustedCommit: string | undefined): Promise<boolean> {
  if (!trustedCommit) return false;
  const trees = await git(["rev-parse", "HEAD^{tree}", `${trustedCommit}^{tree}`], {
    cwd,
    allowFailure: true,
  });
  const [head, trusted] = trees.stdout.trim().split("\n");
  if (trees.exitCode !== 0 || !head || head !== trusted) return false;
  const dirty = await git(["status", "--porcelain", "-z", "--untracked-files=no"], { cwd });
  return dirty.stdout === "";
}

function snapshotDir(repoDir: string, key: string): string {
  return join(repoDir, key);
}

/** The snapshot directory of a repository (`owner/repo`), outside every dir a sandbox binds. */
export function snapshotRepoDir(repoKey: string, cacheRoot: string = defaultCacheDir()): string {
  return join(cacheRoot, "setup-snapshots", repoCacheName(repoKey));
}

/** What setup left untracked (ignored or not) in `cwd`, `dir/` for a whole directory. */
export async function untrackedEntries(cwd: string): Promise<string[]> {
  const listing = await git(["ls-files", "--others", "--directory", "-z"], { cwd });
  return listing.stdout.split("\0").filter(Boolean);
}

/** The entries a snapshot may hold, or null when setup created anything else. */
export function installEntries(created: readonly string[]): string[] | null {
  const install = (entry: string) =>
    /(^|\/)node_modules\/$/.test(entry) || /(^|\/)\.pnp\.(cjs|loader\.mjs)$/.test(entry);
  if (created.length === 0 || !created.every(install)) return null;
  return [...created];
}

/** Copies the snapshot `key` into `cwd`; false when there is none. */
export async function restoreSnapshot(repoDir: string, key: string, cwd: string): Promise<boolean> {
  const dir = snapshotDir(repoDir, key);
  const manifest = await readFile(join(dir, MANIFEST), "utf8").catch(() => null);
  if (manifest === null) return false;
  const entries = (JSON.parse(manifest) as { entries: string[] }).entries;
  // The tree may already hold one of them (a link a worker committed as `.pnp.cjs`): `cp` would write through
  // a link to a host file, so such a tree installs fresh instead.
  for (const entry of entries) if (await lexists(join(cwd, entry.replace(/\/$/, "")))) return false;
  for (const entry of entries) await copyTree(join(dir, "tree", entry), join(cwd, entry));
  return true;
}

/** Stores `entries` of `cwd` as the snapshot `key`, unless one is already there. */
export async function storeSnapshot(
  repoDir: string,
  key: string,
  cwd: string,
  entries: readonly string[],
): Promise<void> {
  const final = snapshotDir(repoDir, key);
  if (await exists(join(final, MANIFEST))) return;
  await mkdir(repoDir, { recursive: true, mode: 0o700 });
  const temp = await mkdtemp(join(repoDir, `.tmp-${key.slice(0, 8)}-`));
  try {
    for (const entry of entries) await copyTree(join(cwd, entry), join(temp, "tree", entry));
    await writeFile(join(temp, MANIFEST), JSON.stringify({ entries, storedAt: new Date().toISOString() }));
    // Another workspace may have stored the same key meanwhile: its snapshot is as good as this one.
    await rename(temp, final).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== "ENOTEMPTY" && error.code !== "EEXIST") throw error;
    });
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

/** Copies run side by side: a `node_modules` is many small files, and one `cp` waits on each in turn. */
const COPIES = 4;

/**
 * A copy, never a link: `-a` keeps symlinks as symlinks (and modes); a reflink
 * is copy-on-write. A directory's entries are split among `COPIES` processes.
 */
async function copyTree(from: string, to: string): Promise<void> {
  const [source, target] = [from.replace(/\/$/, ""), to.replace(/\/$/, "")];
  await mkdir(dirname(target), { recursive: true });
  const info = await lstat(source);
  if (!info.isDirectory()) {
    await exec("cp", ["-a", "--reflink=auto", "--no-target-directory", source, target]);
    return;
  }
  await mkdir(target, { mode: info.mode & 0o7777 });
  const names = await readdir(source);
  const chunks = Array.from({ length: COPIES }, (_, i) => names.filter((_, j) => j % COPIES === i));
  const copy = (chunk: string[]) =>
    exec("cp", ["-a", "--reflink=auto", "-t", target, "--", ...chunk.map((n) => join(source, n))]);
  await Promise.all(chunks.filter((c) => c.length > 0).map(copy));
}

async function lexists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
