import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Runs once in Jest's parent process, before the test workers are started, so
 * what it puts in the environment reaches every test file *and* every process
 * a test starts (CLI runs, ledger workers, queue workers).
 *
 * okstra signs its ledger (SPEC §14.5): all of them sign and verify with this
 * key unless a test gives its own. The key file is pointed into the temp
 * directory so that no test can create one in the real home directory.
 */
export default function globalSetup(): void {
  process.env.OKSTRA_LEDGER_KEY ??= "test-key:okstra-test-ledger-key-0123456789abcdef";
  process.env.OKSTRA_LEDGER_KEY_FILE ??= join(tmpdir(), `okstra-test-ledger-keys-${process.pid}.json`);
}
