import { createHash } from "node:crypto";
import { lstat, mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { defaultCacheDir } from "./mirror-cache.js";

/**
 * Package caches that persist between the workspaces of one repository
 * (SPEC §3 `setup:`), so the second workspace's `npm ci` / `pnpm install`
 * reads tarballs from disk instead of the network.
 *
 * The cache directory is keyed by the repository and by a digest of its
 * lockfiles: a lockfile change misses and starts a fresh cache, so a poisoned
 * or stale cache entry never outlives the dependency set it was made for. A
 * repository without a lockfile is keyed by its manifests instead.
 *
 * Each tool is pointed at its own sub-directory through the variable its
 * documentation names:
 * - npm: `npm_config_cache` (npm's `cache` config, docs.npmjs.com "config");
 * - pnpm: `npm_config_store_dir` and `pnpm_config_store_dir` (pnpm's
 *   `store-dir` setting; pnpm ≤ 9 reads `npm_config_*`, pnpm 10 also
 *   `pnpm_config_*`), and `npm_config_cache_dir`/`pnpm_config_cache_dir` for
 *   its metadata cache;
 * - yarn: `YARN_CACHE_FOLDER` (yarn 1 and yarn berry's `cacheFolder`);
 * - pip: `PIP_CACHE_DIR`.
 */

/** Files whose content decides which packages an install fetches, most specific first. */
const LOCKFILES = [
  "package-lock.json",
  "npm-shrinkwrap.json",
  "pnpm-lock.yaml",
  "yarn.lock",
  "bun.lock",
  "poetry.lock",
  "uv.lock",
  "Pipfile.lock",
  "requirements.txt",
];
/** Used only when there is no lockfile at all: the install then resolves from these. */
const MANIFESTS = ["package.json", "pyproject.toml", "setup.py", "setup.cfg"];

export interface DependencyCache {
  /** The cache directory for this repository and this dependency set. */
  dir: string;
  /** `lock-<digest>` or `manifest-<digest>`: what the cache was keyed by. */
  key: string;
  /** Variables that point each package manager at the cache. */
  env: Record<string, string>;
  /** The directories the setup commands must be able to write (the sandbox binds them). */
  writablePaths: string[];
}

/** The cache for the workspace at `workspaceDir` of the repository `repoKey` (e.g. `owner/repo`), created if missing. */
export async function dependencyCacheFor(
  repoKey: string,
  workspaceDir: string,
  cacheRoot: string = defaultCacheDir(),
  scope: "trusted" | "untrusted" = "trusted",
): Promise<DependencyCache> {
  // A tree an earlier stage's worker shaped runs its install scripts with its own cache, never the one
  // trusted installs (and the setup snapshots made from them) read.
  const key = `${await dependencyKey(workspaceDir)}${scope === "untrusted" ? "-untrusted" : ""}`;
  const dir = join(cacheRoot, "dependencies", repoCacheName(repoKey), key);
  const paths = {
    npm: join(dir, "npm"),
    pnpmStore: join(dir, "pnpm-store"),
    pnpmCache: join(dir, "pnpm-cache"),
    yarn: join(dir, "yarn"),
    pip: join(dir, "pip"),
  };
  await Promise.all(Object.values(paths).map((p) => mkdir(p, { recursive: true })));
  return {
    dir,
    key,
    env: {
      npm_config_cache: paths.npm,
      npm_config_store_dir: paths.pnpmStore,
      pnpm_config_store_dir: paths.pnpmStore,
      npm_config_cache_dir: paths.pnpmCache,
      pnpm_config_cache_dir: paths.pnpmCache,
      YARN_CACHE_FOLDER: paths.yarn,
      PIP_CACHE_DIR: paths.pip,
    },
    writablePaths: [dir],
  };
}

/** A digest of the lockfiles in `workspaceDir` (or, with none, of its manifests). */
export async function dependencyKey(workspaceDir: string): Promise<string> {
  const lock = await digestOf(workspaceDir, LOCKFILES);
  if (lock) return `lock-${lock}`;
  return `manifest-${(await digestOf(workspaceDir, MANIFESTS)) ?? "none"}`;
}

async function digestOf(dir: string, names: string[]): Promise<string | null> {
  const hash = createHash("sha256");
  let found = false;
  for (const name of names) {
    // Committed content from earlier stages' executors: a link (to /dev/zero, to a host file) is not followed.
    const info = await lstat(join(dir, name)).catch(() => null);
    if (!info?.isFile()) continue;
    const content = await readFile(join(dir, name));
    found = true;
    hash.update(`${name}\0${content.length}\0`).update(content);
  }
  return found ? hash.digest("hex").slice(0, 16) : null;
}

/** A repository's (`owner/repo`) directory name under a cache root: readable, and unique by its digest. */
export function repoCacheName(repoKey: string): string {
  const readable = repoKey
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/^[-.]+|[-.]+$/g, "")
    .slice(-80);
  return `${readable || "repo"}-${createHash("sha256").update(repoKey).digest("hex").slice(0, 8)}`;
}
