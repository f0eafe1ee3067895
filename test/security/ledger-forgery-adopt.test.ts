import { afterEach, describe, expect, it } from "@jest/globals";
import { git } from "../../src/util/git.js";
import { configureRecordedWorkers, createLocalRepo, type LocalRepo } from "../helpers/local-repo.js";
import { forgeLedgerCommit } from "./ledger-forgery-repo.js";

/**
 * SPEC §14.5, ledgers written before okstra signed its state: okstra acts on
 * none of it until a repository admin has seen it (`/okstra adopt`) and signed
 * exactly what was shown (`/okstra adopt --at <commit>`).
 */

let repo: LocalRepo;
afterEach(async () => {
  await repo?.dispose();
});

const lastReply = async () => (await repo.comments()).at(-1)!.body;
const ledgerHead = async () => (await git(["rev-parse", "okstra/ledger"], { cwd: repo.dir })).stdout.trim();

/** The task's rows and files with every signature stripped, as one commit on top of the ledger. */
async function stripSignatures(message: string): Promise<void> {
  await forgeLedgerCommit(
    repo.dir,
    {
      "tasks/1/ledger.jsonl": (text) =>
        text!
          .trim()
          .split("\n")
          .map((l) => {
            const { mac: _mac, ...row } = JSON.parse(l);
            return `${JSON.stringify(row)}\n`;
          })
          .join(""),
      "tasks/1/signatures.json": () => null,
    },
    message,
  );
}

/** The task as an okstra from before this change left it: the same rows and files, and no signature anywhere in the branch's history. */
async function unsignedLedger(): Promise<void> {
  await stripSignatures("ledger written by okstra before it signed");
  const tree = (await git(["rev-parse", "okstra/ledger^{tree}"], { cwd: repo.dir })).stdout.trim();
  const root = (
    await git(["commit-tree", tree, "-m", "ledger written by okstra before it signed"], { cwd: repo.dir })
  ).stdout.trim();
  await git(["update-ref", "refs/heads/okstra/ledger", root], { cwd: repo.dir });
}

describe("/okstra adopt (local platform)", () => {
  it("refuses to act on an unsigned ledger, shows it to an admin, and signs exactly what was shown", async () => {
    repo = await createLocalRepo();
    await configureRecordedWorkers(repo, "");
    expect((await repo.run("/okstra plan")).code).toBe(0);
    expect((await repo.run("/okstra approve")).code).toBe(0);
    await unsignedLedger();

    expect((await repo.run("/okstra implement")).code).toBe(1);
    expect(await lastReply()).toContain("was written before okstra signed its ledger state");
    expect(await lastReply()).toContain("`/okstra adopt`");

    await repo.setPermissions({ maintainer: "maintain", owner: "admin" });
    expect((await repo.run("/okstra adopt", "maintainer")).code).toBe(1);
    expect(await lastReply()).toContain("needs `admin`");

    const shownAt = await ledgerHead();
    expect((await repo.run("/okstra adopt", "owner")).code).toBe(0);
    const shown = await lastReply();
    expect(shown).toContain(`At ledger commit \`${shownAt}\``);
    expect(shown).toContain("`tasks/1/plan.json`: not signed by okstra");
    expect(shown).toContain(`/okstra adopt --at ${shownAt}`);

    // A stale or abbreviated commit signs nothing.
    expect((await repo.run(`/okstra adopt --at ${"0".repeat(40)}`, "owner")).code).toBe(1);
    expect(await lastReply()).toContain("it moved since that state was shown");
    expect((await repo.run(`/okstra adopt --at ${shownAt.slice(0, 12)}`, "owner")).code).toBe(1);
    expect(await ledgerHead()).toBe(shownAt);

    expect((await repo.run(`/okstra adopt --at ${shownAt}`, "owner")).code).toBe(0);
    expect(await lastReply()).toContain(`adopted the ledger of #1 as it stood at \`${shownAt}\``);
    expect(await repo.ledgerFile("tasks/1/ledger.jsonl")).toMatch(/"mac":"test-key:/);

    expect((await repo.run("/okstra status", "owner")).code).toBe(0);
    const status = await lastReply();
    expect(status).not.toContain("okstra did not write");
    expect(status).not.toContain("Unsigned ledger");
    expect(status).toMatch(/approved by @maintainer/);
  });
});

describe("signatures stripped from a signed ledger", () => {
  it("is a forgery, not a ledger from before signing: refused with the commit that stripped them, never offered as legacy state", async () => {
    repo = await createLocalRepo();
    await configureRecordedWorkers(repo, "");
    expect((await repo.run("/okstra plan")).code).toBe(0);
    expect((await repo.run("/okstra approve")).code).toBe(0);
    await stripSignatures("looks like an old ledger");
    const forged = await ledgerHead();

    expect((await repo.run("/okstra implement")).code).toBe(1);
    const refusal = await lastReply();
    expect(refusal).not.toContain("was written before okstra signed");
    expect(refusal).toContain(forged.slice(0, 12));
    // Never okstra's own commits: every file is named with the commit that stripped its signature.
    expect(refusal).not.toMatch(new RegExp(`introduced by commit .(?!${forged.slice(0, 12)})`));

    await repo.setPermissions({ owner: "admin" });
    expect((await repo.run("/okstra adopt", "owner")).code).toBe(0);
    expect(await lastReply()).toContain("someone pushed it to `okstra/ledger`");
  });
});
