/**
 * The only ways text reaches the page. Everything read from the local
 * platform or the ledger (issue text, comments, model-written plan fields,
 * branch names) is untrusted, so it goes through `escapeHtml` — which also
 * covers attribute values, as both quote characters are escaped.
 */

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** Schemes a link may keep: opening them is the reader's choice and none runs code in the page. */
const LINK_SCHEMES = new Set(["http:", "https:", "file:", "mailto:"]);

/**
 * The URL to put in an `href`, or null when it must be shown as text: a
 * `javascript:`/`data:` link, or a pseudo-URL such as the local ledger's
 * `okstra/ledger:tasks/1/plan.json` that no browser can open.
 */
export function safeHref(url: string): string | null {
  const trimmed = url.trim();
  const scheme = /^([a-z][a-z0-9+.-]*:)/i.exec(trimmed)?.[1]?.toLowerCase();
  if (scheme === undefined || !LINK_SCHEMES.has(scheme)) return null;
  // Browsers drop tabs and newlines inside URLs, which could hide a scheme; refuse rather than normalise.
  if (/[\s\u0000-\u001f]/.test(trimmed)) return null;
  return trimmed;
}
