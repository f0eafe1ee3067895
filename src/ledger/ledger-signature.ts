import { createHmac, timingSafeEqual } from "node:crypto";
import type { LedgerKeyring } from "./ledger-key.js";
import { canonicalJson } from "../plan/plan-digest.js";

/**
 * What makes a ledger row or file okstra's own (SPEC §14.5): an
 * HMAC-SHA256 keyed by a secret only okstra holds (ledger-key.ts), written
 * as `<key id>:<hex>`.
 *
 * - A row carries its MAC in its own `mac` member, over the row's canonical
 *   JSON (without `mac`), the task and the MAC of the last trusted row before
 *   it. The chain means a signed row copied to another place (a replayed
 *   `verified accepted` after a `blocked`) no longer verifies; chaining to the
 *   last *trusted* row means deleting a forged line repairs the rows after it.
 * - A file's MAC is over the task, its path and its git blob id, kept in the
 *   task's `signatures.json` beside it, so file contents (and the plan's
 *   digest) are exactly what okstra wrote and a check needs no extra read.
 */

export const SIGNATURES_FILE = "signatures.json";
export const ROWS_FILE = "ledger.jsonl";

function hmac(secret: Buffer, parts: readonly string[]): string {
  return createHmac("sha256", secret).update(parts.join("\0"), "utf8").digest("hex");
}

function equalHex(a: string, b: string): boolean {
  const left = Buffer.from(a, "utf8");
  const right = Buffer.from(b, "utf8");
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Why a signature does not make its content okstra's, or null when it does. */
function checkMac(keys: LedgerKeyring, mac: unknown, parts: readonly string[]): string | null {
  if (mac === undefined || mac === null) return "not signed by okstra";
  const match = typeof mac === "string" ? /^([^:]+):([0-9a-f]{64})$/.exec(mac) : null;
  if (!match) return "its signature is malformed";
  const secret = keys.accepted.get(match[1]!);
  if (!secret) return `signed with key \`${match[1]}\`, which this okstra does not hold`;
  return equalHex(hmac(secret, parts), match[2]!) ? null : "its signature does not match its content";
}

function rowParts(issue: number, previousMac: string, row: Record<string, unknown>): string[] {
  const { mac: _mac, ...content } = row;
  return ["okstra-ledger-row-v1", String(issue), previousMac, canonicalJson(content)];
}

function fileParts(issue: number, relative: string, blobId: string): string[] {
  return ["okstra-ledger-file-v1", String(issue), relative, blobId];
}

export function signFile(keys: LedgerKeyring, issue: number, relative: string, blobId: string): string {
  return `${keys.signing.id}:${hmac(keys.signing.secret, fileParts(issue, relative, blobId))}`;
}

export function fileProblem(
  keys: LedgerKeyring,
  issue: number,
  relative: string,
  blobId: string,
  mac: unknown,
): string | null {
  return checkMac(keys, mac, fileParts(issue, relative, blobId));
}

/** One line of `ledger.jsonl` as read: its JSON, and whether okstra signed it there. */
export interface CheckedLine {
  line: number;
  value: Record<string, unknown>;
  problem: string | null;
}

/**
 * Checks every row of a task in order. `values` are the parsed lines (the
 * caller has already refused lines that are not JSON objects).
 * Returns the chain value a row appended after them must sign over.
 */
export function checkRows(
  keys: LedgerKeyring,
  issue: number,
  values: readonly Record<string, unknown>[],
): { lines: CheckedLine[]; chain: string } {
  let chain = "";
  const lines = values.map((value, i): CheckedLine => {
    const problem = checkMac(keys, value.mac, rowParts(issue, chain, value));
    if (problem === null) chain = value.mac as string;
    return { line: i + 1, value, problem };
  });
  return { lines, chain };
}

/** Signs rows to append after a chain; returns the lines as written (the row's own members, then `mac`). */
export function signRows(
  keys: LedgerKeyring,
  issue: number,
  chain: string,
  rows: readonly Record<string, unknown>[],
): string[] {
  let previous = chain;
  return rows.map((row) => {
    const { mac: _mac, ...content } = row;
    const mac = `${keys.signing.id}:${hmac(keys.signing.secret, rowParts(issue, previous, content))}`;
    previous = mac;
    return JSON.stringify({ ...content, mac });
  });
}

/** `signatures.json`: task-relative path → MAC. Anything unreadable counts as no signatures (every file then reads as untrusted). */
export function parseSignatures(text: string | null): Record<string, string> {
  if (text === null) return {};
  try {
    const value = JSON.parse(text) as unknown;
    if (value && typeof value === "object" && !Array.isArray(value)) {
      const files = (value as { files?: unknown }).files;
      if (files && typeof files === "object")
        return Object.fromEntries(Object.entries(files).filter((e): e is [string, string] => typeof e[1] === "string"));
    }
  } catch {
    // fall through: an unreadable manifest signs nothing
  }
  return {};
}

export function renderSignatures(files: Record<string, string>): string {
  const sorted = Object.fromEntries(Object.entries(files).sort(([a], [b]) => a.localeCompare(b)));
  return `${JSON.stringify({ version: 1, files: sorted }, null, 2)}\n`;
}
