import { parseKeySetting, type LedgerKeyring } from "../../src/ledger/ledger-key.js";
import { renderSignatures, ROWS_FILE, SIGNATURES_FILE, signFile, signRows } from "../../src/ledger/ledger-signature.js";
import { gitBlobSha } from "../../src/ledger/object-cache.js";

/**
 * Ledger files as okstra itself would have written them (SPEC §14.5), for
 * tests that lay out a ledger by hand (HTTP fakes, fixture repositories):
 * rows signed in order, every other task file listed in its task's
 * `signatures.json`. Signed with the test key (test/global-setup.ts) unless a
 * keyring is given. A forgery test does *not* use this: it writes plain text.
 */

export function testKeyring(): LedgerKeyring {
  const setting = process.env.OKSTRA_LEDGER_KEY;
  if (!setting) throw new Error("OKSTRA_LEDGER_KEY is not set: test/global-setup.ts sets it for every test");
  return parseKeySetting(setting);
}

/** `ledger.jsonl` text with each row signed after the one before it. */
export function signedRowsText(
  issue: number,
  rows: ReadonlyArray<Record<string, unknown>>,
  keys: LedgerKeyring = testKeyring(),
): string {
  return signRows(
    keys,
    issue,
    "",
    rows.map((r) => ({ ...r })),
  )
    .map((line) => `${line}\n`)
    .join("");
}

/** The files (full ledger paths) with rows signed and each task's `signatures.json` added. */
export function signLedgerFiles(
  files: Readonly<Record<string, string>>,
  keys: LedgerKeyring = testKeyring(),
): Record<string, string> {
  const signed: Record<string, string> = {};
  const manifests = new Map<number, Record<string, string>>();
  for (const [path, text] of Object.entries(files)) {
    const match = /^tasks\/(\d+)\/(.+)$/.exec(path);
    if (!match) {
      signed[path] = text;
      continue;
    }
    const issue = Number(match[1]);
    const relative = match[2]!;
    if (relative === ROWS_FILE) {
      const rows = text
        .split("\n")
        .filter((l) => l.length > 0)
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      signed[path] = signedRowsText(issue, rows, keys);
      continue;
    }
    const manifest = manifests.get(issue) ?? {};
    manifest[relative] = signFile(keys, issue, relative, gitBlobSha(text));
    manifests.set(issue, manifest);
    signed[path] = text;
  }
  for (const [issue, manifest] of manifests) signed[`tasks/${issue}/${SIGNATURES_FILE}`] = renderSignatures(manifest);
  return signed;
}
