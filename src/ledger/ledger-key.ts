import { createHash, hkdfSync, randomBytes } from "node:crypto";
import { link, mkdir, readFile, unlink, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

/**
 * The secret okstra signs its ledger with (SPEC §14.5), and the one place
 * where the operator's settings for it are read:
 *
 *   OKSTRA_LEDGER_KEY        `id:secret[,id:secret…]` — the first key signs, every listed key verifies
 *                            (rotation: put the new key first, keep the old one after it)
 *   the App, without it      a key derived with HKDF-SHA256 from the App's private key
 *                            (PRIVATE_KEY or PRIVATE_KEY_PATH, as Probot reads them)
 *   the CLI, without it      a key file outside every repository (OKSTRA_LEDGER_KEY_FILE, default
 *                            ~/.config/okstra/ledger-keys.json), created on first use
 *
 * Anyone who can push to `okstra/ledger` can write any text there; only a
 * holder of one of these keys can write a row or file okstra will act on.
 */

export interface LedgerKey {
  /** Short public name written beside each signature, so a ledger can hold rows signed under several keys. */
  id: string;
  secret: Buffer;
}

export interface LedgerKeyring {
  /** The key new rows and files are signed with. */
  signing: LedgerKey;
  /** Every key a signature is accepted under, by id (the signing key included). */
  accepted: ReadonlyMap<string, Buffer>;
}

/** A key setting that cannot be used; the message says what to write instead. */
export class LedgerKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LedgerKeyError";
  }
}

const KEY_ID = /^[A-Za-z0-9._-]{1,40}$/;
const MIN_SECRET_BYTES = 32;

export function keyring(keys: readonly LedgerKey[]): LedgerKeyring {
  const [signing] = keys;
  if (!signing) throw new LedgerKeyError("no ledger key given");
  const accepted = new Map<string, Buffer>();
  for (const key of keys) {
    if (!KEY_ID.test(key.id)) throw new LedgerKeyError(`ledger key id \`${key.id}\` must be 1–40 of A–Z a–z 0–9 . _ -`);
    if (key.secret.length < MIN_SECRET_BYTES)
      throw new LedgerKeyError(
        `ledger key \`${key.id}\` is ${key.secret.length} bytes; use at least ${MIN_SECRET_BYTES} (e.g. \`openssl rand -hex 32\`)`,
      );
    if (!accepted.has(key.id)) accepted.set(key.id, key.secret);
  }
  return { signing, accepted };
}

/** A public id for a secret that has none: a fingerprint, which reveals nothing usable about it. */
function fingerprint(prefix: string, secret: Buffer): string {
  return `${prefix}-${createHash("sha256").update(secret).digest("hex").slice(0, 12)}`;
}

/** `OKSTRA_LEDGER_KEY`: `id:secret` entries separated by commas; a bare secret gets a fingerprint id. */
export function parseKeySetting(setting: string): LedgerKeyring {
  const keys = setting
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)
    .map((entry): LedgerKey => {
      const colon = entry.indexOf(":");
      if (colon > 0 && KEY_ID.test(entry.slice(0, colon)))
        return { id: entry.slice(0, colon), secret: Buffer.from(entry.slice(colon + 1), "utf8") };
      const secret = Buffer.from(entry, "utf8");
      return { id: fingerprint("env", secret), secret };
    });
  if (keys.length === 0)
    throw new LedgerKeyError(
      "OKSTRA_LEDGER_KEY is set but empty; write `id:secret` (at least 32 characters of secret), or unset it",
    );
  return keyring(keys);
}

/** The App's key: HKDF-SHA256 of its private key, so it needs no extra secret and changes only with it. */
export function deriveAppKey(privateKeyPem: string): LedgerKey {
  const secret = Buffer.from(hkdfSync("sha256", privateKeyPem.trim(), "okstra-ledger", "okstra ledger hmac v1", 32));
  return { id: fingerprint("app", secret), secret };
}

async function appPrivateKey(env: NodeJS.ProcessEnv): Promise<string | null> {
  // Probot accepts the key with escaped newlines in PRIVATE_KEY; the derived key must be the same either way.
  if (env.PRIVATE_KEY) return env.PRIVATE_KEY.replace(/\\n/g, "\n");
  if (env.PRIVATE_KEY_PATH) return readFile(env.PRIVATE_KEY_PATH, "utf8");
  return null;
}

/** The App's keyring: OKSTRA_LEDGER_KEY when set, else derived from the App's private key. */
export async function appLedgerKeyring(env: NodeJS.ProcessEnv = process.env): Promise<LedgerKeyring> {
  if (env.OKSTRA_LEDGER_KEY !== undefined) return parseKeySetting(env.OKSTRA_LEDGER_KEY);
  const pem = await appPrivateKey(env);
  if (pem === null)
    throw new LedgerKeyError(
      "okstra cannot sign its ledger: set OKSTRA_LEDGER_KEY, or give the App's PRIVATE_KEY / PRIVATE_KEY_PATH",
    );
  return keyring([deriveAppKey(pem)]);
}

export function keyFilePath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.OKSTRA_LEDGER_KEY_FILE) return env.OKSTRA_LEDGER_KEY_FILE;
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), ".config"), "okstra", "ledger-keys.json");
}

interface KeyFile {
  keys: Array<{ id: string; secret: string }>;
}

function parseKeyFile(file: string, text: string): LedgerKeyring {
  let parsed: KeyFile;
  try {
    parsed = JSON.parse(text) as KeyFile;
  } catch (error) {
    throw new LedgerKeyError(
      `${file} is not JSON (${(error as Error).message}); it should be { "keys": [{ "id": "…", "secret": "<base64>" }] }`,
    );
  }
  if (
    !Array.isArray(parsed?.keys) ||
    parsed.keys.some((k) => typeof k?.id !== "string" || typeof k?.secret !== "string")
  ) {
    throw new LedgerKeyError(
      `${file} should be { "keys": [{ "id": "…", "secret": "<base64>" }] }, the first key signing`,
    );
  }
  return keyring(parsed.keys.map((k) => ({ id: k.id, secret: Buffer.from(k.secret, "base64") })));
}

/**
 * The CLI's keyring from its key file, creating the file on first use.
 * Creation is atomic under concurrent first use: each process writes a
 * private temp file and hard-links it into place; `link` fails for every
 * process but one, and they all read the winner's file.
 */
export async function cliLedgerKeyring(env: NodeJS.ProcessEnv = process.env): Promise<LedgerKeyring> {
  if (env.OKSTRA_LEDGER_KEY !== undefined) return parseKeySetting(env.OKSTRA_LEDGER_KEY);
  const file = keyFilePath(env);
  const existing = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return null;
    throw error;
  });
  if (existing !== null) return parseKeyFile(file, existing);
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const secret = randomBytes(32);
  const content: KeyFile = { keys: [{ id: fingerprint("cli", secret), secret: secret.toString("base64") }] };
  const temp = `${file}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  await writeFile(temp, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600, flag: "wx" });
  try {
    await link(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  return parseKeyFile(file, await readFile(file, "utf8"));
}
