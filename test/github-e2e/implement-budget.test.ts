import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { writeFile } from "node:fs/promises";
import { createE2eWorld, type E2eWorld, type Phase } from "./e2e-harness.js";
import { countImplementRequests, implementTable, type ImplementCounts } from "./implement-requests.js";

/**
 * SPEC §13: a one-stage implementation run (claim → stage → PR → finish,
 * verification apart) makes at most 30 GitHub API requests, at most 3 ledger
 * reads and at most 3 ledger commits. Counts, not time: the fake GitHub sees
 * every request. `bench/implement-requests.ts` prints the table by route
 * (the test writes it to `OKSTRA_IMPLEMENT_REQUESTS` when that is set).
 */

let world: E2eWorld;
let first: Phase;
let dependent: Phase;
let counts: Record<string, ImplementCounts>;

beforeAll(async () => {
  world = await createE2eWorld();
  await world.comment("/okstra plan");
  await world.comment("/okstra approve");
  first = await world.comment("/okstra implement --stage 1");
  await world.comment("/okstra implement --stage 2");
  dependent = await world.comment("/okstra implement --stage 3");
  world.github.uninstall();
  counts = {
    "stage 1 (no dependency)": countImplementRequests(first.api),
    "stage 3 (two dependencies)": countImplementRequests(dependent.api),
  };
  if (process.env.OKSTRA_IMPLEMENT_REQUESTS)
    await writeFile(process.env.OKSTRA_IMPLEMENT_REQUESTS, implementTable(counts));
}, 180_000);

afterAll(async () => {
  await world?.dispose();
});

describe("a one-stage /okstra implement (SPEC §13)", () => {
  it("opened exactly one stage PR per run (the runs measured are one-stage runs)", () => {
    for (const phase of [first, dependent])
      expect(phase.api.filter((r) => r.route === "POST /repos/{owner}/{repo}/pulls")).toHaveLength(1);
  });

  it("stage 1 (no dependency): at most 30 API requests, 3 ledger reads, 3 ledger commits", () => {
    const c = counts["stage 1 (no dependency)"]!;
    expect(c.total).toBeLessThanOrEqual(30);
    expect(c.ledgerReads).toBeLessThanOrEqual(3);
    expect(c.ledgerCommits).toBeLessThanOrEqual(3);
    expect(c.ledgerCommits).toBeGreaterThan(0); // not vacuous: the run did write
  });

  // The dependent stage's total also holds its base branch (`okstra/1/s3-base`, SPEC §15.4) and the navigation
  // refresh of its dependencies' PRs: within the same budget since a new PR is created with its final block.
  it("stage 3 (two dependencies): at most 30 API requests, 3 ledger reads, 3 ledger commits", () => {
    const c = counts["stage 3 (two dependencies)"]!;
    expect(c.total).toBeLessThanOrEqual(30);
    expect(c.ledgerReads).toBeLessThanOrEqual(3);
    expect(c.ledgerCommits).toBeLessThanOrEqual(3);
    expect(c.byRoute.get("POST /repos/{owner}/{repo}/git/refs")).toBe(1); // its base branch, not a ledger commit
  });
});
