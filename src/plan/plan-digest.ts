import { createHash } from "node:crypto";

/**
 * An approval is bound to the plan's digest (SPEC §2 `/okstra approve`): the
 * sha256 of its canonical JSON, so re-serialising the same plan (key order,
 * whitespace) keeps it approved and any change to its content does not.
 */

/** JSON with object keys sorted at every depth and no whitespace; `undefined` members dropped as JSON.stringify does. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") {
    const encoded = JSON.stringify(value);
    if (encoded === undefined) throw new TypeError(`cannot encode ${typeof value} as canonical JSON`);
    return encoded;
  }
  if (Array.isArray(value)) {
    return `[${value.map((item) => (item === undefined ? "null" : canonicalJson(item))).join(",")}]`;
  }
  const record = value as Record<string, unknown>;
  const members = Object.keys(record)
    .filter((key) => record[key] !== undefined && typeof record[key] !== "function")
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`);
  return `{${members.join(",")}}`;
}

export function planDigest(plan: unknown): string {
  return createHash("sha256").update(canonicalJson(plan), "utf8").digest("hex");
}
