import { withOverrides } from "../util/override.js";
import { redactSecrets } from "../util/redact.js";
import type { LedgerStore } from "./store.js";

/**
 * Every ledger commit passes through the one redaction point (SPEC §14.3):
 * anyone who can read the repository can read `okstra/ledger`. Replacements
 * contain no quote or backslash, so a JSON file stays JSON.
 */
export function redactingLedgerStore(store: LedgerStore): LedgerStore {
  return withOverrides(store, {
    commit: (request: Parameters<LedgerStore["commit"]>[0]) => {
      const changes = new Map([...request.changes].map(([path, text]) => [path, text === null ? null : redactSecrets(text)]));
      return store.commit({ ...request, changes, message: redactSecrets(request.message) });
    },
  });
}
