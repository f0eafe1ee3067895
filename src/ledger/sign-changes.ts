import { LedgerInputError, LedgerUntrustedError } from "./errors.js";
import { checkRows, renderSignatures, ROWS_FILE, SIGNATURES_FILE, signFile, signRows } from "./ledger-signature.js";
import { gitBlobSha } from "./object-cache.js";
import type { FileChanges } from "./store.js";
import { splitTaskPath, type TrustedSnapshot } from "./trusted-snapshot.js";

/**
 * Signing what a mutation is about to commit (SPEC §14.5), as the last step
 * before the compare-and-swap so that what is signed is exactly what is
 * written: rows appended to `ledger.jsonl` get their `mac` (chained after the
 * last trusted row already there), every other task file written gets its
 * entry in the task's `signatures.json`, a deleted file loses it. Rows already
 * on the branch are never re-signed — that is what keeps a forged row forged —
 * except by an admin's explicit adoption (`adoptIssue`).
 *
 * Nothing is appended after a row okstra did not sign. A row edited in place
 * breaks the chain for every row after it; rows okstra appended meanwhile
 * would chain to an older row and break in turn once the edit is reverted, so
 * the revert okstra advises would no longer repair the task. Every command
 * refuses such a task before it gets here (`Ledger.readTask`); this is the
 * guarantee for the paths that write without deciding on the task first
 * (crash recovery, reconciliation).
 */

function parseLines(text: string): Record<string, unknown>[] {
  return text
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => {
      try {
        const value = JSON.parse(line) as unknown;
        return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
      } catch {
        return {};
      }
    });
}

async function signRowsFile(
  view: TrustedSnapshot,
  issue: number,
  path: string,
  text: string,
  adopt: boolean,
): Promise<string> {
  const stored = (adopt ? "" : await view.raw.read(path)) ?? "";
  const kept = stored === "" || stored.endsWith("\n") ? stored : `${stored}\n`;
  if (!text.startsWith(kept))
    throw new LedgerInputError(
      path,
      "rows are only ever appended; the new text does not start with the rows already stored",
    );
  const { lines, chain } = checkRows(view.keys, issue, parseLines(kept));
  const untrusted = lines.filter((l) => l.problem !== null);
  if (untrusted.length > 0)
    throw new LedgerUntrustedError(
      issue,
      untrusted.map((l) => ({ file: path, line: l.line, problem: l.problem! })),
      lines.every((l) => l.value.mac === undefined),
    );
  const added = signRows(view.keys, issue, chain, parseLines(text.slice(kept.length)));
  return kept + added.map((line) => `${line}\n`).join("");
}

/** Every file of the task as it stands, for an adoption that signs them all. */
async function wholeTask(view: TrustedSnapshot, issue: number): Promise<Map<string, string | null>> {
  const files = new Map<string, string | null>();
  for (const path of view.list(`tasks/${issue}/`)) {
    if (path.endsWith(`/${SIGNATURES_FILE}`)) continue;
    files.set(path, await view.raw.read(path));
  }
  return files;
}

/**
 * The changes with signatures added. `adoptIssue`: sign the whole of that
 * task as it stands (its rows rewritten with fresh MACs), for `/okstra adopt`.
 */
export async function signChanges(
  view: TrustedSnapshot,
  changes: FileChanges,
  adoptIssue: number | null = null,
): Promise<Map<string, string | null>> {
  const all = new Map(changes);
  if (adoptIssue !== null)
    for (const [path, text] of await wholeTask(view, adoptIssue)) if (!all.has(path)) all.set(path, text);
  const signed = new Map<string, string | null>();
  const manifests = new Map<number, Record<string, string>>();
  for (const [path, text] of all) {
    const task = splitTaskPath(path);
    if (!task) {
      signed.set(path, text);
      continue;
    }
    if (task.relative === SIGNATURES_FILE) throw new LedgerInputError(path, "okstra writes its signatures itself");
    if (task.relative === ROWS_FILE) {
      // Rows carry their own MACs: an append reads no signatures file, so it costs what it did before signing.
      signed.set(
        path,
        text === null ? null : await signRowsFile(view, task.issue, path, text, adoptIssue === task.issue),
      );
      continue;
    }
    if (!manifests.has(task.issue))
      manifests.set(task.issue, adoptIssue === task.issue ? {} : { ...(await view.signatures(task.issue)) });
    const manifest = manifests.get(task.issue)!;
    if (text === null) delete manifest[task.relative];
    else manifest[task.relative] = signFile(view.keys, task.issue, task.relative, gitBlobSha(text));
    signed.set(path, text);
  }
  for (const [issue, manifest] of manifests)
    signed.set(`tasks/${issue}/${SIGNATURES_FILE}`, renderSignatures(manifest));
  return signed;
}
