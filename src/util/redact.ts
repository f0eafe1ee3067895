import { readFileSync } from "node:fs";

/**
 * The one redaction point (SPEC §14.3): everything okstra writes where
 * someone else can read it — ledger commits, comments, PR bodies, check runs,
 * logs, CLI output — passes through `redactSecrets`. It removes known token
 * shapes and the literal value of every secret in okstra's own environment,
 * whatever shape it has. A safety net, not the mechanism: tokens are never
 * put where text is built.
 *
 * Every replacement is plain text without quotes or backslashes, so redacting
 * a JSON document leaves it valid JSON.
 */
const SHAPES: Array<[RegExp, string]> = [
  // PEM private keys, also inside JSON strings where the newlines are `\n`.
  [/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g, "[redacted-private-key]"],
  [/\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})\b/g, "[redacted-token]"],
  [/\bwhsec_[A-Za-z0-9+/=_-]{8,}/g, "[redacted-webhook-secret]"],
  [/\b(authorization["']?\s*[:=]\s*["']?)(token|bearer|basic)\s+[^\s"',}\\]+/gi, "$1$2 [redacted]"],
  // `x-access-token:<token>` base64-encoded, as in a git basic-auth header: the prefix always encodes the same.
  [/eC1hY2Nlc3MtdG9rZW46[A-Za-z0-9+/]*={0,2}/g, "[redacted-basic-credentials]"],
  [/\b(sk-(?:ant-)?[A-Za-z0-9_-]{16,}|AIza[0-9A-Za-z_-]{30,})\b/g, "[redacted-key]"],
  [/(\/\/)[^/@\s:"'\\]+(:[^/@\s"'\\]*)?@/g, "$1[redacted]@"],
];

/** Names of environment variables that hold a secret, whatever their value looks like. */
const SECRET_NAME = /(^|_)(KEYS?|SECRETS?|TOKENS?|PASSWORD|PASSWD|PASS|PRIVATE|CREDENTIALS?|AUTH|APIKEY|PAT)(_|$)/i;
/** …unless the name says it holds where a secret is, not the secret (`PRIVATE_KEY_PATH`). */
const NOT_A_SECRET = /_(PATH|FILE|DIR|URL|HOST|NAME|ID)$/i;
/** Short values (`1`, `true`) would redact half of every text; a real secret is longer. */
const MIN_SECRET_LENGTH = 8;

let cachedFrom: NodeJS.ProcessEnv | undefined;
let cachedKey = "";
let cachedSecrets: string[] = [];

/** The literal secrets of okstra's environment (and the private key file it names), longest first. */
export function environmentSecrets(env: NodeJS.ProcessEnv = process.env): string[] {
  const names = Object.keys(env).filter((name) => SECRET_NAME.test(name) && !NOT_A_SECRET.test(name));
  const key = names.map((name) => `${name}=${env[name]?.length}`).join(";");
  if (env === cachedFrom && key === cachedKey) return cachedSecrets;
  const values = new Set<string>();
  for (const name of names) {
    const value = env[name]?.trim();
    if (!value || value.length < MIN_SECRET_LENGTH) continue;
    values.add(value);
    // As it appears inside JSON (a PEM key's newlines) and as each line of a multi-line secret.
    values.add(JSON.stringify(value).slice(1, -1));
    for (const line of value.split(/\r?\n|\\n/))
      if (line.trim().length >= MIN_SECRET_LENGTH * 2) values.add(line.trim());
  }
  if (env.PRIVATE_KEY_PATH) {
    try {
      const pem = readFileSync(env.PRIVATE_KEY_PATH, "utf8").trim();
      for (const line of pem.split(/\r?\n/))
        if (line.trim().length >= MIN_SECRET_LENGTH * 2 && !line.startsWith("-----")) values.add(line.trim());
    } catch {
      // unreadable here: nothing of it can be in our text either
    }
  }
  cachedFrom = env;
  cachedKey = key;
  cachedSecrets = [...values].sort((a, b) => b.length - a.length);
  return cachedSecrets;
}

export function redactSecrets(text: string, env: NodeJS.ProcessEnv = process.env): string {
  let result = text;
  for (const secret of environmentSecrets(env))
    if (result.includes(secret)) result = result.split(secret).join("[redacted-secret]");
  return SHAPES.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), result);
}

/** Every string inside a value, redacted (request bodies, check run outputs). */
export function redactDeep<T>(value: T): T {
  if (typeof value === "string") return redactSecrets(value) as T;
  if (Array.isArray(value)) return value.map((item) => redactDeep(item)) as T;
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactDeep(item)])) as T;
  }
  return value;
}

// ANSI CSI/OSC/other escape sequences, then every control character but tab and newline.
const ESCAPES = /\u001b\][\s\S]*?(?:\u0007|\u001b\\)|\u001b\[[0-?]*[ -/]*[@-~]|\u001b[@-_]|\u009b[0-?]*[ -/]*[@-~]/g;
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** Model text as okstra passes it on: no terminal escapes or control characters (a `\r` can hide a line). */
export function stripControl(text: string): string {
  return text.replace(/\r\n/g, "\n").replace(ESCAPES, "").replace(CONTROL, "");
}

/** At most `limit` characters, with a notice saying how much was cut. */
export function capText(text: string, limit: number): string {
  if (text.length <= limit) return text;
  return `${text.slice(0, limit)}\n[okstra: ${(text.length - limit).toLocaleString("en-US")} more characters cut]`;
}

/** Each string of a worker's result: clean of escapes and capped (a 3 MB summary is not stored). */
export function cleanModelValue<T>(value: T, limit = MODEL_FIELD_LIMIT): T {
  if (typeof value === "string") return capText(stripControl(value), limit) as T;
  if (Array.isArray(value)) return value.map((item) => cleanModelValue(item, limit)) as T;
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, cleanModelValue(item, limit)])) as T;
  }
  return value;
}

export const MODEL_FIELD_LIMIT = 20_000;
