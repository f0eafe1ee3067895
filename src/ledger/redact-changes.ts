import { redactSecrets } from "../util/redact.js";
import type { FileChanges } from "./store.js";

/**
 * Every ledger commit passes through the one redaction point (SPEC §14.3):
 * anyone who can read the repository can read `okstra/ledger`. It runs before
 * the changes are signed, so what okstra signs is exactly what it writes.
 * Replacements contain no quote or backslash, so a JSON file stays JSON.
 */
export function redactChanges(changes: FileChanges): FileChanges {
  return new Map([...changes].map(([path, text]) => [path, text === null ? null : redactSecrets(text)]));
}
