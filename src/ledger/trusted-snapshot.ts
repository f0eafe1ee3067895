import { LedgerUntrustedError, type UntrustedEntry } from "./errors.js";
import type { LedgerKeyring } from "./ledger-key.js";
import { fileProblem, parseSignatures, ROWS_FILE, SIGNATURES_FILE } from "./ledger-signature.js";
import type { LedgerSnapshot } from "./store.js";

/**
 * The ledger as okstra reads it: a snapshot that checks every task file
 * against `signatures.json` before handing out its text. `read` throws
 * LedgerUntrustedError for a file okstra did not write (so no caller can act
 * on one by forgetting to check); `readChecked` reports the problem instead,
 * for the readers that collect everything untrusted to show it (status).
 * Rows are checked line by line by `readRows` (task-ledger.ts).
 */

/** `tasks/<N>/<relative>` split, or null for anything else. */
export function splitTaskPath(path: string): { issue: number; relative: string } | null {
  const match = /^tasks\/(\d+)\/(.+)$/.exec(path);
  return match ? { issue: Number(match[1]), relative: match[2]! } : null;
}

export class TrustedSnapshot implements LedgerSnapshot {
  private readonly manifests = new Map<number, Promise<Record<string, string>>>();

  constructor(
    readonly raw: LedgerSnapshot,
    readonly keys: LedgerKeyring,
  ) {}

  get commit(): string | null {
    return this.raw.commit;
  }

  has(path: string): boolean {
    return this.raw.has(path);
  }

  list(prefix: string): string[] {
    return this.raw.list(prefix);
  }

  blobId(path: string): string | undefined {
    return this.raw.blobId(path);
  }

  async read(path: string): Promise<string | null> {
    const { text, problem } = await this.readChecked(path);
    if (problem !== null)
      throw new LedgerUntrustedError(
        splitTaskPath(path)?.issue ?? null,
        [{ file: path, line: null, problem }],
        this.unsigned(path),
      );
    return text;
  }

  async readChecked(path: string): Promise<{ text: string | null; problem: string | null }> {
    const text = await this.raw.read(path);
    if (text === null) return { text, problem: null };
    return { text, problem: await this.fileProblem(path) };
  }

  /** Why the file at `path` is not okstra's, or null when it is (or is not a signed kind of file). */
  async fileProblem(path: string): Promise<string | null> {
    const task = splitTaskPath(path);
    const blobId = this.raw.blobId(path);
    if (!task || blobId === undefined || task.relative === ROWS_FILE || task.relative === SIGNATURES_FILE) return null;
    const signatures = await this.signatures(task.issue);
    return fileProblem(this.keys, task.issue, task.relative, blobId, signatures[task.relative]);
  }

  signatures(issue: number): Promise<Record<string, string>> {
    let manifest = this.manifests.get(issue);
    if (!manifest) {
      manifest = this.raw.read(`tasks/${issue}/${SIGNATURES_FILE}`).then(parseSignatures);
      this.manifests.set(issue, manifest);
    }
    return manifest;
  }

  /** A task with no signatures at all was written before okstra signed its ledger (adopt it, SPEC §14.5). */
  unsigned(path: string): boolean {
    const task = splitTaskPath(path);
    return task !== null && !this.raw.has(`tasks/${task.issue}/${SIGNATURES_FILE}`);
  }
}

/** The views okstra decides on are always checked ones; a raw store snapshot here is a bug. */
export function requireTrusted(view: LedgerSnapshot): TrustedSnapshot {
  if (view instanceof TrustedSnapshot) return view;
  throw new TypeError("ledger reads need a TrustedSnapshot (Ledger.snapshot() or the view Ledger.mutate passes)");
}

export type { UntrustedEntry };
