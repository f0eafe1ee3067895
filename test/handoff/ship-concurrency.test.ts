import { describe, expect, it } from "@jest/globals";
import { SHIP_CLAIMS_FILE } from "../../src/ledger/index.js";
import { updateLocalPull } from "../../src/platform/local/records.js";
import { ISSUE, useShipTemplate, type ShipRepo } from "./ship-repo.js";

const { shipRepo } = useShipTemplate();
let repo: ShipRepo;

const groupPulls = async () => (await repo.pulls()).filter((p) => /^okstra\/1\/group-/.test(p.head));
const groupRows = async () => (await repo.rows()).filter((r) => r.status === "pr" && r.kind === "group");

/** Writes ship-claims.json as a run elsewhere would have left it. */
async function leaveClaim(run: string, stage: number, until: Date) {
  await repo.ledger.writeFiles(ISSUE, {
    [SHIP_CLAIMS_FILE]: `${JSON.stringify({ v: 1, claims: [{ stage, run, until: until.toISOString() }] })}\n`,
  });
}

describe("/okstra ship under redelivery, concurrency and repeats", () => {
  it("a redelivered /okstra ship — concurrently and again afterwards — opens one PR and starts one run", async () => {
    repo = await shipRepo();
    const job = await repo.post("/okstra ship 1,2");
    const outcomes = await Promise.all([repo.execute(job), repo.execute({ ...job, deliveryId: "redelivery-1" })]);
    expect(outcomes.map((o) => o.result)).toEqual(["carried-out", "carried-out"]);
    expect((await repo.execute({ ...job, deliveryId: "redelivery-2" })).result).toBe("carried-out");

    expect((await groupPulls()).map((p) => p.head)).toEqual(["okstra/1/group-1-2"]);
    expect(await groupRows()).toHaveLength(1);
    const runs = (await repo.ledgerFiles()).filter((f) => /^tasks\/1\/runs\/ship-\d+\/run\.json$/.test(f));
    expect(runs).toEqual(["tasks/1/runs/ship-1/run.json"]);
    // One status comment and nothing else answered the comment: no refusal for the redeliveries.
    const answers = (await repo.comments()).filter((c) => c.id > job.comment.id);
    expect(answers).toHaveLength(1);
    expect(answers[0].body).toContain("Opened group PR #");
  });

  it("two concurrent ships of overlapping stages: one opens the group PR, the other is refused; no stage is in two group PRs", async () => {
    repo = await shipRepo();
    const [both, second] = [await repo.post("/okstra ship 1,2"), await repo.post("/okstra ship 2")];
    const outcomes = await Promise.all([repo.execute(both), repo.execute(second)]);

    expect(outcomes.map((o) => o.result).sort()).toEqual(["carried-out", "refused"]);
    const refused = outcomes.find((o) => o.result === "refused") as { reason: string };
    expect(refused.reason).toMatch(/stage 2 is (being shipped by run ship-\d|already shipped in #\d+)/);

    const pulls = await groupPulls();
    expect(pulls).toHaveLength(1);
    const rows = await groupRows();
    expect(rows).toHaveLength(1);
    expect(rows[0].number).toBe(pulls[0].number);
    expect(await repo.ledgerFiles()).not.toContain(`tasks/${ISSUE}/${SHIP_CLAIMS_FILE}`);
  });

  it("a live claim of another run refuses the ship before anything is assembled; an expired one (a crashed run) does not", async () => {
    repo = await shipRepo();
    await leaveClaim("ship-9", 1, new Date(Date.now() + 10 * 60_000));
    const refused = await repo.execute(await repo.post("/okstra ship 1,2"));
    expect(refused).toMatchObject({
      result: "refused",
      reason: expect.stringContaining("stage 1 is being shipped by run ship-9"),
    });
    expect(await repo.refExists("okstra/1/group-1-2")).toBe(false);

    await leaveClaim("ship-9", 1, new Date(Date.now() - 60_000));
    expect((await repo.execute(await repo.post("/okstra ship 1,2"))).result).toBe("carried-out");
    expect(await groupRows()).toHaveLength(1);
    // The expired claim went with the commit that recorded the group PR.
    expect(await repo.ledgerFiles()).not.toContain(`tasks/${ISSUE}/${SHIP_CLAIMS_FILE}`);
  });

  it("after its group PR is closed unmerged, a ship again reuses the collector branch holding the same assembly; other content is refused, never force-pushed", async () => {
    repo = await shipRepo();
    expect((await repo.execute(await repo.post("/okstra ship 1,2"))).result).toBe("carried-out");
    const first = (await groupPulls())[0];
    const branchHead = await repo.head(first.head);
    await updateLocalPull(repo.dir, first.number, (p) => ({ ...p, state: "closed" }));

    expect((await repo.execute(await repo.post("/okstra ship 1,2"))).result).toBe("carried-out");
    const second = (await groupPulls()).find((p) => p.state === "open")!;
    expect(second.number).not.toBe(first.number);
    expect(await repo.head(first.head)).toBe(branchHead);
    expect(await repo.lastReply()).toContain("already held exactly this assembly, so nothing was pushed");
    expect((await groupRows()).map((r) => r.number)).toEqual([first.number, second.number]);

    // main moves on: the same stages now assemble to other content than the branch holds.
    await repo.commitOn("main", { "CHANGELOG.md": "# Changes\n" }, "docs: start a changelog");
    await updateLocalPull(repo.dir, second.number, (p) => ({ ...p, state: "closed" }));
    const refused = await repo.execute(await repo.post("/okstra ship 1,2"));
    expect(refused).toMatchObject({
      result: "refused",
      reason: expect.stringContaining(
        "branch `okstra/1/group-1-2` already exists at `" + branchHead.slice(0, 12) + "` with other content",
      ),
    });
    expect(await repo.head(first.head)).toBe(branchHead);
  });
});
