/**
 * GitHub API requests per ledger mutation (SPEC §4.2, §13), for both write
 * recipes, against the in-process fake GitHub in ledger-fake-github.ts.
 *
 *   node --import tsx bench/ledger-requests.ts
 *
 * Scenarios, each one `appendRows` of one row unless named otherwise:
 *   create      first write ever: the orphan branch does not exist yet
 *   warm        nothing raced, this process wrote the current head (cache seeded)
 *   read        readTask of an unchanged ledger
 *   claim       claimStages of two stages, warm
 *   raced       warm, but another writer commits between our read and our write (one lost race)
 *   cold        a fresh process (empty cache) on an existing ledger
 */
import { Octokit } from "@octokit/rest";
import { createGitHubLedgerStore, type GitHubWriteRecipe } from "../src/ledger/github-store.js";
import { Ledger } from "../src/ledger/ledger.js";
import { keyring } from "../src/ledger/ledger-key.js";
import { FakeGitHub, type RequestCount } from "./ledger-fake-github.js";

const REPO = { owner: "acme", repo: "widgets" };
const ISSUE = 7;
const BENCH_KEYS = keyring([{ id: "bench", secret: Buffer.alloc(32, 7) }]);

function taskJson(): string {
  return `${JSON.stringify({ issue: ISSUE, title: "Bench task", baseBranch: "main", planVersion: 1, createdAt: new Date().toISOString() }, null, 2)}\n`;
}

function planJson(): string {
  const stages = [1, 2, 3, 4].map((n) => ({
    number: n,
    title: `Stage ${n}`,
    dependsOn: n > 2 ? [n - 2] : [],
    steps: [{ n: 1 }, { n: 2 }],
  }));
  return `${JSON.stringify({ version: 1, stages }, null, 2)}\n`;
}

let runSeq = 0;
function row(): { run: string; status: "failed"; stage: number; reason: string; detail: string } {
  runSeq += 1;
  return { run: `impl-${runSeq}`, status: "failed", stage: 1, reason: "validation-failed", detail: "bench" };
}

function ledgerFor(baseUrl: string, recipe: GitHubWriteRecipe): Ledger {
  const client = new Octokit({ baseUrl, log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} } });
  // Signing is local (SPEC §14.5): a fixed key, so the bench neither needs nor creates a key file.
  return new Ledger(createGitHubLedgerStore(client, REPO, { recipe }), {
    sleep: async () => undefined,
    keyring: BENCH_KEYS,
  });
}

async function measure(recipe: GitHubWriteRecipe): Promise<Map<string, RequestCount>> {
  const github = new FakeGitHub();
  const baseUrl = await github.start();
  const results = new Map<string, RequestCount>();
  try {
    const ledger = ledgerFor(baseUrl, recipe);
    await ledger.writeFiles(ISSUE, { "task.json": taskJson(), "plan.json": planJson() });
    results.set("create", github.takeCounts());

    await ledger.appendRows(ISSUE, [row()]);
    github.takeCounts();
    await ledger.appendRows(ISSUE, [row()]);
    results.set("warm", github.takeCounts());

    await ledger.readTask(ISSUE);
    results.set("read", github.takeCounts());

    await ledger.claimStages(ISSUE, "impl-claim", [1, 2], new Date(Date.now() + 3_600_000), "b".repeat(40));
    results.set("claim", github.takeCounts());

    github.beforeNextWrite = () => {
      const rows = github.readFile("okstra/ledger", `tasks/${ISSUE}/ledger.jsonl`) ?? "";
      const other = JSON.stringify({ at: new Date().toISOString(), ...row() });
      github.commitDirectly(
        "okstra/ledger",
        new Map([[`tasks/${ISSUE}/ledger.jsonl`, `${rows}${other}\n`]]),
        "another writer",
      );
    };
    const raced = await ledger.appendRows(ISSUE, [row()]);
    if (raced.attempts !== 2) throw new Error(`expected one lost race, got ${raced.attempts} attempts`);
    results.set("raced", github.takeCounts());

    await ledgerFor(baseUrl, recipe).appendRows(ISSUE, [row()]);
    results.set("cold", github.takeCounts());

    // Nothing lost, nothing duplicated: the 6 rows appended here and the other writer's are each on the branch once.
    const text = github.readFile("okstra/ledger", `tasks/${ISSUE}/ledger.jsonl`) ?? "";
    const identities = text
      .trim()
      .split("\n")
      .map((l) => {
        const r = JSON.parse(l) as { run: string; stage: number; status: string };
        return `${r.run}/${r.stage}/${r.status}`;
      });
    if (new Set(identities).size !== identities.length || identities.length !== 7)
      throw new Error(`unexpected rows on the ledger:\n${text}`);
  } finally {
    await github.stop();
  }
  return results;
}

function describe(count: RequestCount | undefined): string {
  if (!count) return "-";
  return `${count.total} (${count.writes} w)`;
}

function routes(count: RequestCount | undefined): string {
  if (!count) return "";
  return Object.entries(count.byRoute)
    .map(([route, n]) => `${n}× ${route}`)
    .join(", ");
}

const graphql = await measure("graphql");
const rest = await measure("rest");
const scenarios = ["create", "warm", "read", "claim", "raced", "cold"];

console.log("GitHub API requests per ledger operation (total, of which content-creating writes)\n");
console.log(`| scenario | createCommitOnBranch recipe | tree+commit+PATCH ref recipe |`);
console.log(`|---|---|---|`);
for (const s of scenarios) console.log(`| ${s} | ${describe(graphql.get(s))} | ${describe(rest.get(s))} |`);
console.log("\nRoutes, createCommitOnBranch recipe:");
for (const s of scenarios) console.log(`  ${s.padEnd(7)} ${routes(graphql.get(s))}`);
console.log("\nRoutes, tree+commit+PATCH ref recipe:");
for (const s of scenarios) console.log(`  ${s.padEnd(7)} ${routes(rest.get(s))}`);
