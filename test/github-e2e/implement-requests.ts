import type { ApiRequest } from "./fake-github-api.js";

/**
 * SPEC §13's one-stage implementation budget, counted from the requests one
 * `/okstra implement --stage N` made against the fake GitHub: every API
 * request, the ledger reads (each read of the ledger's state is one read of
 * the `okstra/ledger` ref; its trees and blobs come from the SHA-keyed cache
 * when known — SPEC §13 — and are counted apart as object reads, the run
 * reads nothing else through the git data API) and the ledger commits
 * (`createCommitOnBranch`, or the REST recipe's writes of the ledger ref).
 */
export interface ImplementCounts {
  total: number;
  ledgerReads: number;
  objectReads: number;
  ledgerCommits: number;
  byRoute: Map<string, number>;
}

const LEDGER_REF = /\/git\/ref\/heads\/okstra\/ledger$/;
const OBJECT_READ = new Set([
  "GET /repos/{owner}/{repo}/git/trees/{tree_sha}",
  "GET /repos/{owner}/{repo}/git/blobs/{file_sha}",
]);
/**
 * A ledger commit: `createCommitOnBranch` (okstra writes only the ledger
 * through it), or a REST ref write to `okstra/ledger` — not the stage base
 * branches okstra creates through the same route (SPEC §15.4).
 */
function isLedgerCommit(r: ApiRequest): boolean {
  if (r.route === "POST /graphql createCommitOnBranch") return true;
  if (r.route === "PATCH /repos/{owner}/{repo}/git/refs/{ref}")
    return LEDGER_REF_WRITE.test(r.path.split("?")[0] ?? "");
  if (r.route === "POST /repos/{owner}/{repo}/git/refs")
    return (r.body as { ref?: string } | null)?.ref === "refs/heads/okstra/ledger";
  return false;
}
const LEDGER_REF_WRITE = /\/git\/refs\/heads\/okstra\/ledger$/;

/** The installation token exchange is Probot's, not okstra's: it is listed but not counted against the budget. */
const NOT_OKSTRA = new Set(["POST /app/installations/{installation_id}/access_tokens"]);

export function countImplementRequests(requests: ApiRequest[]): ImplementCounts {
  const counted = requests.filter((r) => !NOT_OKSTRA.has(r.route));
  const byRoute = new Map<string, number>();
  for (const r of requests) byRoute.set(r.route, (byRoute.get(r.route) ?? 0) + 1);
  return {
    total: counted.length,
    ledgerReads: counted.filter((r) => r.method === "GET" && LEDGER_REF.test(r.path.split("?")[0] ?? "")).length,
    objectReads: counted.filter((r) => OBJECT_READ.has(r.route)).length,
    ledgerCommits: counted.filter(isLedgerCommit).length,
    byRoute,
  };
}

/** A markdown table of one or more measured runs, side by side (route rows, then the three budget lines). */
export function implementTable(runs: Record<string, ImplementCounts>): string {
  const names = Object.keys(runs);
  const routes = [...new Set(names.flatMap((n) => [...runs[n]!.byRoute.keys()]))].sort();
  const lines = [`| route | ${names.join(" | ")} |`, `|---|${names.map(() => "---:").join("|")}|`];
  for (const route of routes)
    lines.push(`| \`${route}\` | ${names.map((n) => runs[n]!.byRoute.get(route) ?? 0).join(" | ")} |`);
  const row = (label: string, pick: (c: ImplementCounts) => number) =>
    lines.push(`| **${label}** | ${names.map((n) => `**${pick(runs[n]!)}**`).join(" | ")} |`);
  row("API total (without the token exchange)", (c) => c.total);
  row("ledger reads (`okstra/ledger` ref)", (c) => c.ledgerReads);
  row("ledger object reads (trees, blobs not in the cache)", (c) => c.objectReads);
  row("ledger commits", (c) => c.ledgerCommits);
  return `${lines.join("\n")}\n`;
}
