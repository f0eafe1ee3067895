import { redactSecrets } from "../util/redact.js";
import type { FileChanges, LedgerSnapshot } from "./store.js";

/**
 * Every ledger commit passes through the one redaction point (SPEC §14.3):
 * anyone who can read the repository can read `okstra/ledger`. It runs before
 * the changes are signed, so what okstra signs is exactly what it writes.
 * Only what a write adds is redacted: a file that grows by appending (the
 * rows) keeps its stored, signed prefix byte for byte, even when a secret
 * configured later happens to occur in it. Replacements contain no quote or
 * backslash, so a JSON file stays JSON.
 */
export async function redactChanges(current: LedgerSnapshot, changes: FileChanges): Promise<FileChanges> {
  const redacted = new Map<string, string | null>();
  for (const [path, text] of changes) {
    if (text === null) {
      redacted.set(path, null);
      continue;
    }
    const before = current.has(path) ? await current.read(path) : null;
    redacted.set(
      path,
      before !== null && text.startsWith(before)
        ? before + redactSecrets(text.slice(before.length))
        : redactSecrets(text),
    );
  }
  return redacted;
}
