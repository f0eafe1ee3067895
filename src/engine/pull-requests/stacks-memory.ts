import {
  NATIVE_STACKS_FILE,
  nativeStacksUnavailable,
  rememberNativeStacksUnavailableMutation,
  type Ledger,
} from "../../ledger/index.js";
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
export function ledgerStacksMemory(ledger: Ledger, now: () => Date = () => new Date()): StacksMemory {
  return {
    async unavailable() {
      return nativeStacksUnavailable(await (await ledger.snapshot()).raw.read(NATIVE_STACKS_FILE));
    },
    async rememberUnavailable() {
      const why = "GET /repos/{owner}/{repo}/stacks answered 404";
      await ledger.mutate(rememberNativeStacksUnavailableMutation(why, now()));
    },
  };
}
