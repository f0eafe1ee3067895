import type { Ledger } from "../../ledger/index.js";
import type { StacksMemory } from "./native-stacks.js";

/**
 * Where okstra remembers that a repository has no native stacks (SPEC §15.5):
 * `native-stacks.json` at the root of the repository's `okstra/ledger` branch
 * — okstra has no database, and the ledger is the one durable place that is
 * the repository's own. The file is a hint, not a trust decision: someone who
 * forges it only turns native stacks off (the navigation block still shows
 * everything); someone who deletes it makes okstra ask once more. It costs
 * one ledger read where a stack is wanted, and one commit, once, per repository.
 */
export const STACKS_MEMORY_PATH = "native-stacks.json";

export function ledgerStacksMemory(ledger: Ledger, now: () => Date = () => new Date()): StacksMemory {
  return {
    async unavailable() {
      const text = await (await ledger.snapshot()).raw.read(STACKS_MEMORY_PATH);
      if (text === null) return false;
      try {
        return (JSON.parse(text) as { available?: unknown }).available === false;
      } catch {
        return false;
      }
    },
    async rememberUnavailable() {
      const why = "GET /repos/{owner}/{repo}/stacks answered 404";
      const text = `${JSON.stringify({ available: false, since: now().toISOString(), why })}\n`;
      await ledger.mutate(async () => ({
        changes: new Map([[STACKS_MEMORY_PATH, text]]),
        message: "okstra: native stacks are not available here",
        value: undefined,
      }));
    },
  };
}
