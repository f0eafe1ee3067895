import { createHash } from "node:crypto";
import type { FileChanges, LedgerSnapshot } from "./store.js";

/**
 * The read cache both store adapters share. Git objects are immutable, so a
 * commit's listing and a blob's text can be cached by SHA without ever being
 * invalidated; the only thing a reader must fetch each time is the branch
 * head. After a successful write the adapter seeds the cache with what it
 * just wrote, so the writer's next mutation needs no tree or blob read.
 */

/** path → blob SHA, for every file of a commit. */
export type TreeEntries = ReadonlyMap<string, string>;

export interface CachedTree {
  entries: TreeEntries;
  /** The commit's root tree, when known (the REST recipe needs it as `base_tree`). */
  treeSha?: string;
}

/** Git's blob id of a text file: sha1 of `blob <byte length>\0<bytes>`. Lets a writer know its blob SHAs without asking. */
export function gitBlobSha(text: string): string {
  const bytes = Buffer.from(text, "utf8");
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

/** The listing after `changes`, plus the new blobs by SHA. */
export function applyChanges(
  entries: TreeEntries,
  changes: FileChanges,
): { entries: Map<string, string>; blobs: Map<string, string> } {
  const next = new Map(entries);
  const blobs = new Map<string, string>();
  for (const [path, text] of changes) {
    if (text === null) {
      next.delete(path);
      continue;
    }
    const sha = gitBlobSha(text);
    next.set(path, sha);
    blobs.set(sha, text);
  }
  return { entries: next, blobs };
}

/** A Map that forgets its least recently used entries past a total weight. */
class LruMap<V> {
  private readonly map = new Map<string, { value: V; weight: number }>();
  private total = 0;
  constructor(
    private readonly maxWeight: number,
    private readonly weigh: (value: V) => number,
  ) {}

  get(key: string): V | undefined {
    const hit = this.map.get(key);
    if (!hit) return undefined;
    this.map.delete(key);
    this.map.set(key, hit);
    return hit.value;
  }

  set(key: string, value: V): void {
    const old = this.map.get(key);
    if (old) {
      this.total -= old.weight;
      this.map.delete(key);
    }
    const weight = this.weigh(value);
    this.map.set(key, { value, weight });
    this.total += weight;
    for (const [oldest, entry] of this.map) {
      if (this.total <= this.maxWeight || this.map.size === 1) break;
      this.map.delete(oldest);
      this.total -= entry.weight;
    }
  }
}

export interface ObjectCacheLimits {
  /** Commits whose listing is kept. */
  trees?: number;
  /** Total characters of blob text kept. */
  blobChars?: number;
}

export class ObjectCache {
  private readonly trees: LruMap<CachedTree>;
  private readonly blobs: LruMap<string>;

  constructor(limits: ObjectCacheLimits = {}) {
    this.trees = new LruMap(limits.trees ?? 32, () => 1);
    this.blobs = new LruMap(limits.blobChars ?? 32 * 1024 * 1024, (text) => text.length);
  }

  tree(commit: string): CachedTree | undefined {
    return this.trees.get(commit);
  }

  setTree(commit: string, tree: CachedTree): void {
    this.trees.set(commit, tree);
  }

  blob(sha: string): string | undefined {
    return this.blobs.get(sha);
  }

  setBlob(sha: string, text: string): void {
    this.blobs.set(sha, text);
  }

  /** Records a commit the adapter just wrote: its listing is the parent's plus the changes. */
  seed(commit: string, parent: TreeEntries, changes: FileChanges, treeSha?: string): void {
    const next = applyChanges(parent, changes);
    this.setTree(commit, { entries: next.entries, treeSha });
    for (const [sha, text] of next.blobs) this.setBlob(sha, text);
  }

  /** A snapshot over a listing, reading blobs through the cache with `load`. */
  snapshot(
    commit: string | null,
    tree: CachedTree,
    load: (sha: string, path: string) => Promise<string>,
  ): LedgerSnapshot {
    return new CachedSnapshot(commit, tree.entries, this, load);
  }
}

class CachedSnapshot implements LedgerSnapshot {
  constructor(
    readonly commit: string | null,
    private readonly entries: TreeEntries,
    private readonly cache: ObjectCache,
    private readonly load: (sha: string, path: string) => Promise<string>,
  ) {}

  has(path: string): boolean {
    return this.entries.has(path);
  }

  blobId(path: string): string | undefined {
    return this.entries.get(path);
  }

  list(prefix: string): string[] {
    return [...this.entries.keys()].filter((path) => path.startsWith(prefix)).sort();
  }

  async read(path: string): Promise<string | null> {
    const sha = this.entries.get(path);
    if (sha === undefined) return null;
    const cached = this.cache.blob(sha);
    if (cached !== undefined) return cached;
    const text = await this.load(sha, path);
    this.cache.setBlob(sha, text);
    return text;
  }
}

export const EMPTY_TREE: CachedTree = { entries: new Map() };
