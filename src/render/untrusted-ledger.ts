import type { UntrustedEntry } from "../ledger/errors.js";
import { codeSpan, inlineModelText } from "./model-text.js";

/**
 * What okstra says about ledger state it did not write (SPEC §14.5): each
 * row or file, the commit that introduced it, and how to repair it. Used by
 * every refusal and by `/okstra status`.
 */

/** Entries listed one by one; the rest are counted. */
const LISTED = 10;

function shortSha(sha: string): string {
  return sha.slice(0, 12);
}

function entryLine(entry: UntrustedEntry): string {
  // The path and the problem (which can quote a key id) come from the ledger branch, which anyone with push access writes.
  const where = `${codeSpan(entry.file)}${entry.line === null ? "" : ` line ${entry.line}`}`;
  const commit = entry.commit
    ? `introduced by commit \`${shortSha(entry.commit)}\``
    : entry.commit === null
      ? "the commit that introduced it was not found"
      : "";
  return `- ${where}: ${inlineModelText(entry.problem)}${commit ? `; ${commit}` : ""}`;
}

/** The distinct commits that introduced the entries, oldest listed last as git shows them. */
export function introducingCommits(entries: readonly UntrustedEntry[]): string[] {
  return [...new Set(entries.flatMap((e) => (e.commit ? [e.commit] : [])))];
}

export function renderUntrustedList(entries: readonly UntrustedEntry[]): string {
  const listed = entries.slice(0, LISTED).map(entryLine);
  if (entries.length > LISTED) listed.push(`- … and ${entries.length - LISTED} more`);
  return listed.join("\n");
}

/** The refusal: what is wrong (with every entry) and what to do instead. */
export function renderUntrustedRefusal(
  issue: number | null,
  entries: readonly UntrustedEntry[],
  unsigned: boolean,
): { problem: string; instead: string } {
  const task = issue === null ? "this task" : `#${issue}`;
  if (unsigned) {
    return {
      problem: `the ledger of ${task} was written before okstra signed its ledger state (${entries.length} row${entries.length === 1 ? "" : "s"} or files unsigned), so okstra acts on none of it.`,
      instead:
        "A repository admin can review it with `/okstra status`, then sign it as it stands with `/okstra adopt`.",
    };
  }
  const commits = introducingCommits(entries);
  const revert =
    commits.length > 0
      ? `Revert ${commits.map((c) => `\`${shortSha(c)}\``).join(", ")} on \`okstra/ledger\` (\`git revert ${commits.map(shortSha).join(" ")}\`, or delete what ${commits.length === 1 ? "it" : "they"} added) and push it`
      : "Remove those rows or files from `okstra/ledger`";
  return {
    problem: `the ledger of ${task} holds state okstra did not write, and okstra acts on none of it:\n${renderUntrustedList(entries)}`,
    instead: `${revert}, then comment the command again; if the plan itself is in doubt, comment \`/okstra replan\` afterwards. A ruleset on \`okstra/ledger\` that only the App may bypass keeps this from happening again.`,
  };
}

/** The section `/okstra status` adds under its table. */
export function renderUntrustedSection(issue: number, entries: readonly UntrustedEntry[], unsigned: boolean): string {
  if (entries.length === 0) return "";
  const { instead } = renderUntrustedRefusal(issue, entries, unsigned);
  const heading = unsigned
    ? "**Unsigned ledger** — written before okstra signed its state; the table above counts none of it:"
    : "**Untrusted ledger state** — okstra did not write these; the table above counts none of them:";
  return `${heading}\n\n${renderUntrustedList(entries)}\n\n${instead}`;
}
