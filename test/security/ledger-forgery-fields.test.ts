import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { LocalRepo } from "../helpers/local-repo.js";
import { approvedRepo, ledgerRows, verifier } from "../verification/verification-repo.js";
import { editRows, expectDistrusted, forgeLedgerCommit } from "./ledger-forgery-repo.js";

/**
 * SPEC §14.5 for the fields added since the signatures were introduced: the
 * ship preflight on `verified` rows and the real base on `started` rows are
 * inside the row's MAC, so editing either on a signed row, keeping its `mac`,
 * is caught like any forgery — named by commit, refused by verify and ship.
 */

const WHERE = /`tasks\/1\/ledger\.jsonl` line \d+: its signature does not match its content/;

let repo: LocalRepo;
beforeAll(async () => {
  repo = await approvedRepo({
    verifiers: [verifier("--findings none --review agree"), verifier("--findings none --review agree")],
  });
  expect((await repo.run("/okstra implement --stage 1")).code).toBe(0);
}, 180_000);
afterAll(async () => {
  await repo?.dispose();
});

describe("signed fields edited by hand on okstra/ledger", () => {
  it("a ship preflight conflict written into a signed `verified` row", async () => {
    const verified = (await ledgerRows(repo)).filter((r) => r.status === "verified" && r.stage === 1);
    expect(verified.at(-1)?.shipPreflight).toEqual({ stages: [1], conflicts: [] });
    const commit = await forgeLedgerCommit(repo.dir, {
      "tasks/1/ledger.jsonl": editRows(
        (row) => row.status === "verified" && row.stage === 1,
        (row) => ({ ...row, shipPreflight: { stages: [1], conflicts: [{ stages: [1], paths: ["FORGED.md"] }] } }),
      ),
    });
    await expectDistrusted(repo, commit, WHERE, /FORGED\.md/);
  });

  it("another base written into a signed `started` row", async () => {
    const started = (await ledgerRows(repo)).find((r) => r.status === "started" && r.stage === 1);
    expect(started?.baseCommit).toMatch(/^[0-9a-f]{40}$/);
    const commit = await forgeLedgerCommit(repo.dir, {
      "tasks/1/ledger.jsonl": editRows(
        (row) => row.status === "started" && row.stage === 1,
        (row) => ({ ...row, baseCommit: "d".repeat(40) }),
      ),
    });
    await expectDistrusted(repo, commit, WHERE, /dddddddddddd/);
  });

  it("a `started` row's base turned into a merge of other stages", async () => {
    const commit = await forgeLedgerCommit(repo.dir, {
      "tasks/1/ledger.jsonl": editRows(
        (row) => row.status === "started" && row.stage === 1,
        ({ baseCommit: _base, ...row }) => ({ ...row, baseFrom: [2, 3] }),
      ),
    });
    await expectDistrusted(repo, commit, WHERE, /baseFrom/);
  });
});
