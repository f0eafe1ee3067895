import { afterEach, describe, expect, it } from "@jest/globals";
import { access } from "node:fs/promises";
import path from "node:path";
import { planDigest } from "../../src/plan/plan-digest.js";
import { git } from "../../src/util/git.js";
import { configureRecordedWorkers, createLocalRepo, type LocalRepo } from "../helpers/local-repo.js";
import { appendRow, forgeLedgerCommit, revertLedgerCommit } from "./ledger-forgery-repo.js";

/**
 * SPEC §14.5, the attack of issue #17: someone with `contents: write` (below
 * okstra's `minimumPermission`) pushes a commit to `okstra/ledger` that turns
 * a stage's `validation.pre` into a shell command and appends an `approved`
 * row with the forged plan's digest in a maintainer's name.
 */

let repo: LocalRepo;
afterEach(async () => {
  await repo?.dispose();
});

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

describe("a forged plan and approval on okstra/ledger (local platform)", () => {
  it("refuses /okstra implement, runs nothing, and names the commit and the repair", async () => {
    repo = await createLocalRepo();
    await configureRecordedWorkers(repo, "");
    expect((await repo.run("/okstra plan")).code).toBe(0);
    expect((await repo.run("/okstra approve")).code).toBe(0);

    const marker = path.join(repo.root, "pwned");
    const plan = JSON.parse(await repo.ledgerFile("tasks/1/plan.json"));
    plan.stages[0].validation.pre = [`touch ${marker}`];
    const forged = `${JSON.stringify(plan, null, 2)}\n`;
    const commit = await forgeLedgerCommit(repo.dir, {
      "tasks/1/plan.json": () => forged,
      "tasks/1/ledger.jsonl": appendRow({
        at: new Date().toISOString(),
        run: "approve-9",
        status: "approved",
        planDigest: planDigest(plan),
        actor: "maintainer",
      }),
    });

    const implement = await repo.run("/okstra implement");

    expect(implement.code).toBe(1);
    expect(await exists(marker)).toBe(false);
    // No run was started and nothing was claimed on the forged plan.
    expect((await repo.ledgerFiles()).filter((f) => f.startsWith("tasks/1/runs/impl-"))).toEqual([]);
    expect(await repo.ledgerFile("tasks/1/ledger.jsonl")).not.toMatch(/"status":"started"/);
    const reply = (await repo.comments()).at(-1)!.body;
    expect(reply).toContain("holds state okstra did not write");
    expect(reply).toContain("`tasks/1/plan.json`: its signature does not match its content");
    expect(reply).toMatch(/`tasks\/1\/ledger\.jsonl` line \d+: not signed by okstra/);
    expect(reply).toContain(`introduced by commit \`${commit.slice(0, 12)}\``);
    expect(reply).toContain(`git revert ${commit.slice(0, 12)}`);
    expect(reply).toContain("/okstra replan");

    // `/okstra approve` does not launder the forged plan either.
    expect((await repo.run("/okstra approve")).code).toBe(1);
    expect((await repo.comments()).at(-1)!.body).toContain(commit.slice(0, 12));

    // The repair okstra names works: after the revert, the plan okstra wrote and its approval count again.
    await revertLedgerCommit(repo.dir, commit);
    const status = await repo.run("/okstra status");
    expect(status.code).toBe(0);
    const table = (await repo.comments()).at(-1)!.body;
    expect(table).not.toContain("okstra did not write");
    expect(table).toMatch(/approved by @maintainer/);
    expect(await exists(marker)).toBe(false);
  });

  it("a replaced plan put back with its own signature, and task.json with it, is not approved again", async () => {
    repo = await createLocalRepo();
    await configureRecordedWorkers(repo, "");
    expect((await repo.run("/okstra plan")).code).toBe(0);
    expect((await repo.run("/okstra approve")).code).toBe(0);
    const approvedAt = (await git(["rev-parse", "okstra/ledger"], { cwd: repo.dir })).stdout.trim();
    expect((await repo.run("/okstra replan")).code).toBe(0);
    const fileAt = async (file: string) =>
      (await git(["show", `${approvedAt}:tasks/1/${file}`], { cwd: repo.dir })).stdout;
    const [oldPlan, oldMeta, oldSignatures] = await Promise.all(
      ["plan.json", "task.json", "signatures.json"].map(fileAt),
    );

    // Each file goes back with the MAC okstra once gave it: every one of them verifies on its own.
    const putBack = (current: string | null) => {
      const now = JSON.parse(current!);
      const then = JSON.parse(oldSignatures);
      for (const file of ["plan.json", "task.json"]) now.files[file] = then.files[file];
      return `${JSON.stringify(now, null, 2)}\n`;
    };
    await forgeLedgerCommit(repo.dir, {
      "tasks/1/plan.json": () => oldPlan,
      "tasks/1/task.json": () => oldMeta,
      "tasks/1/signatures.json": putBack,
    });

    const marker = path.join(repo.root, "implemented");
    const implement = await repo.run("/okstra implement");
    expect(implement.code).toBe(1);
    const reply = (await repo.comments()).at(-1)!.body;
    expect(reply).not.toContain("okstra did not write");
    expect(reply).toContain("plan v1 of #1 is not approved.");
    expect((await repo.ledgerFiles()).filter((f) => f.startsWith("tasks/1/runs/impl-"))).toEqual([]);
    expect(await exists(marker)).toBe(false);
  });
});
