import { afterEach, describe, expect, it } from "@jest/globals";
import { createE2eWorld, type E2eWorld } from "./e2e-harness.js";

/**
 * The ledger's compare-and-swap over the real API shape (SPEC §4.2): another
 * writer moves `okstra/ledger` between okstra's read and its
 * `createCommitOnBranch`; GitHub answers STALE_DATA for the old
 * `expectedHeadOid`, and okstra re-reads and re-applies its mutation on top.
 */

describe("a ledger write that loses the race", () => {
  let world: E2eWorld | undefined;
  afterEach(async () => {
    world?.github.uninstall(); // before test/setup.ts checks for unused mocks
    await world?.dispose();
    world = undefined;
  });

  it("is re-applied on the other writer's commit, which is kept", async () => {
    const w = (world = await createE2eWorld());
    const otherRow = `${JSON.stringify({ at: "2026-11-21T10:00:00.000Z", run: "impl-9", status: "cancelled" })}\n`;
    let otherCommit = "";
    w.github.beforeNextCommitOnBranch(async () => {
      const head = (await w.bare.head("okstra/ledger"))!;
      const tree = await w.bare.writeTree(head, [{ path: "tasks/2/ledger.jsonl", contents: Buffer.from(otherRow) }]);
      otherCommit = await w.bare.commitTree(tree, [head], "chore(ledger): another run's write");
      expect(await w.bare.updateBranch("okstra/ledger", otherCommit, head)).toBe(true);
    });

    const plan = await w.comment("/okstra plan");

    const [lost, retried] = w.github.commitsOnBranch;
    expect(lost.oid).toBeNull();
    expect(retried.oid).not.toBeNull();
    expect(retried.input.expectedHeadOid).toBe(otherCommit);
    expect(retried.input.fileChanges?.additions?.map((a) => a.path)).toEqual(
      lost.input.fileChanges?.additions?.map((a) => a.path),
    );
    // Between the two writes okstra read the moved ref again rather than retrying blindly.
    const graphql = plan.api.flatMap((r, i) => (r.route === "POST /graphql createCommitOnBranch" ? [i] : []));
    expect(plan.api.slice(graphql[0] + 1, graphql[1]).map((r) => r.route)).toContain(
      "GET /repos/{owner}/{repo}/git/ref/{ref}",
    );

    expect(await w.bare.fileAt("okstra/ledger", "tasks/2/ledger.jsonl")).toBe(otherRow);
    expect(await w.bare.fileAt("okstra/ledger", "tasks/1/plan.json")).not.toBeNull();
    const status = w.github.comments.find((c) => c.body.includes("okstra:run-status"))!;
    expect(status.body).toContain("✅ done · run `plan-1`");
  });
});
