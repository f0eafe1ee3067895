/**
 * The ledger store port: the only thing the mutation engine (`ledger.ts`)
 * needs from wherever the `okstra/ledger` branch lives. Two adapters:
 * `local-store.ts` (git plumbing in a repository) and `github-store.ts`
 * (GitHub's Git Data and GraphQL APIs).
 *
 * Reads are by commit, so an adapter can cache a commit's listing and blobs
 * forever: only `head()` has to go to the source of truth each time.
 */

/** Path on the ledger branch → new text, or null to delete it. */
export type FileChanges = ReadonlyMap<string, string | null>;

/** A read-only view of the ledger at one commit. Listing is eager (one tree read); file contents are read lazily. */
export interface LedgerSnapshot {
  /** The commit this view is of; null when the branch does not exist yet (an empty view). */
  readonly commit: string | null;
  has(path: string): boolean;
  /** Paths under a prefix (e.g. `tasks/3/carry/`), sorted. */
  list(prefix: string): string[];
  /** A file's text, or null when it does not exist. */
  read(path: string): Promise<string | null>;
  /** A file's content id (its git blob SHA) without reading it, so an unchanged write can be skipped for free. */
  blobId(path: string): string | undefined;
}

export interface CommitRequest {
  /** The commit the branch must still point at; null = the branch must not exist (create it, orphan). */
  parent: string | null;
  changes: FileChanges;
  /** First line is the headline. */
  message: string;
}

/** A lost race is an expected outcome, not an error: the mutation engine re-reads and re-applies. */
export type CommitOutcome = { ok: true; commit: string } | { ok: false; lostRace: true; detail: string };

export interface LedgerStore {
  /** Where the store lives, for logs (`local:/path`, `github:owner/repo`). */
  readonly describe: string;
  /** The branch's current commit, or null when the branch does not exist. Never cached. */
  head(): Promise<string | null>;
  snapshot(commit: string | null): Promise<LedgerSnapshot>;
  /** Writes one commit with `changes` on top of `parent` and moves the branch to it only if it still points at `parent`. */
  commit(request: CommitRequest): Promise<CommitOutcome>;
  /** Where a person can look at a ledger file (a web URL, or `okstra/ledger:<path>` for `git show`). */
  fileUrl(path: string): string;
  /**
   * The branch commit that introduced a file as it is now (`line` null) or one line of it, or null when
   * history does not say. Only asked when something untrusted was found, so it may cost requests. For a
   * whole file, `signatures` names the file that vouches for it: a change there (a signature deleted)
   * makes the file untrusted as much as a change to the file itself, so the newer of the two is named.
   */
  introducedBy(path: string, line: number | null, signatures?: string): Promise<string | null>;
  /** Whether any commit of the branch ever held `path`: asked only when a task looks written before signing. */
  everHeld(path: string): Promise<boolean>;
}
