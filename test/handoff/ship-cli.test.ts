import { describe, expect, it } from "@jest/globals";
import { onPullRequestClosed } from "../../src/engine/handoff/pull-request-closed.js";
import { git } from "../../src/util/git.js";
import { silentLogger } from "../../src/util/log.js";
import { ISSUE, useShipTemplate, type ShipRepo } from "./ship-repo.js";

const { shipRepo } = useShipTemplate();
let repo: ShipRepo;

const GROUP_12 = `okstra/${ISSUE}/group-1-2`;
const log = async (range: string, format: string) =>
  (await git(["log", "--first-parent", `--format=${format}`, range], { cwd: repo.dir })).stdout.trim().split("\n");
const parents = async (commit: string) =>
  (await git(["log", "-1", "--format=%P", commit], { cwd: repo.dir })).stdout.trim();
const groupRows = async () => (await repo.rows()).filter((r) => r.status === "pr" && r.kind === "group");

describe("/okstra ship through the CLI (implementation scenario, local platform)", () => {
  it("ships independent stages 1,2 as one PR: a collector branch from main with one --no-ff merge per stage", async () => {
    repo = await shipRepo();
    const [main, s1, s2] = await Promise.all(
      ["main", `okstra/${ISSUE}/s1`, `okstra/${ISSUE}/s2`].map((ref) => repo.head(ref)),
    );
    const stagePrs = await repo.pulls();

    const result = await repo.cli("/okstra ship 1,2");
    expect(result.code).toBe(0);

    // The collector branch: main, then `merge: stage 1` (main + s1), then `merge: stage 2` (… + s2).
    expect(await log(`main..${GROUP_12}`, "%s")).toEqual(["merge: stage 2", "merge: stage 1"]);
    const [merge2, merge1] = await log(`main..${GROUP_12}`, "%H");
    expect(await parents(merge1)).toBe(`${main} ${s1}`);
    expect(await parents(merge2)).toBe(`${merge1} ${s2}`);
    expect(await repo.head(GROUP_12)).toBe(merge2);

    // The PR file: to main, ready (not a draft), listing stages, verdicts, reports, merge commits, stage PRs.
    const group = (await repo.pulls()).find((p) => p.head === GROUP_12)!;
    expect(group).toMatchObject({
      base: "main",
      draft: false,
      state: "open",
      title: "Stages 1, 2: Export the inventory as CSV (#1)",
    });
    const [pr1, pr2] = stagePrs.filter((p) => p.head === `okstra/${ISSUE}/s1` || p.head === `okstra/${ISSUE}/s2`);
    expect(group.body).toContain(
      `| 1 | CSV field escaping | ✅ accepted at \`${s1.slice(0, 7)}\` | [report](okstra/ledger:tasks/1/runs/verify-1/report.md) | #${pr1.number} | \`${merge1.slice(0, 12)}\` |`,
    );
    expect(group.body).toContain(
      `| 2 | Per-item value on the inventory | ✅ accepted at \`${s2.slice(0, 7)}\` | [report](okstra/ledger:tasks/1/runs/verify-1/report.md) | #${pr2.number} | \`${merge2.slice(0, 12)}\` |`,
    );

    // The ledger: one group `pr` row, the claim gone with it, the run recorded.
    expect(await groupRows()).toEqual([
      expect.objectContaining({ run: "ship-1", stages: [1, 2], kind: "group", branch: GROUP_12, number: group.number }),
    ]);
    expect(await repo.ledgerFiles()).not.toContain(`tasks/${ISSUE}/ship-claims.json`);
    const manifest = JSON.parse(
      (await git(["show", `okstra/ledger:tasks/${ISSUE}/runs/ship-1/run.json`], { cwd: repo.dir })).stdout,
    );
    expect(manifest).toMatchObject({
      phase: "handoff",
      status: "succeeded",
      stages: [1, 2],
      branch: GROUP_12,
      pr: group.number,
    });

    // Stage PRs: a comment linking the group PR, and "shipped in #X" in every navigation block.
    for (const pr of [pr1, pr2])
      expect((await repo.comments(pr.number)).map((c) => c.body).join("\n")).toContain(`ships in #${group.number}`);
    const after = await repo.pulls();
    const body = (head: string) => after.find((p) => p.head === head)!.body;
    expect(body(`okstra/${ISSUE}/s3`)).toContain(
      `| | 1 · CSV field escaping | — | #${pr1.number} | 🚢 shipped in #${group.number} |`,
    );
    expect(body(`okstra/${ISSUE}/s1`)).toContain(
      `| ➡️ | **1 · CSV field escaping** | — | **this PR** | 🚢 shipped in #${group.number} |`,
    );
    expect(body(`okstra/${ISSUE}/s3`)).toContain("| ✅ verified |");
    expect(result.stdout).toContain(`Opened group PR #${group.number}`);
  });

  it("refuses stage 3 while stages 1 and 2 are neither in the base nor shipped with it, and pushes nothing", async () => {
    repo = await shipRepo();
    const result = await repo.cli("/okstra ship 3");
    expect(result.code).toBe(1);
    expect(await repo.lastReply()).toContain("stage 3 needs stages 1, 2 in the base `main` or in this ship");
    expect(await repo.refExists(`okstra/${ISSUE}/group-3`)).toBe(false);
    expect(await groupRows()).toEqual([]);
    expect(await repo.ledgerFiles()).not.toContain(`tasks/${ISSUE}/ship-claims.json`);
    const manifest = JSON.parse(
      (await git(["show", `okstra/ledger:tasks/${ISSUE}/runs/ship-1/run.json`], { cwd: repo.dir })).stdout,
    );
    expect(manifest).toMatchObject({
      status: "refused",
      outcome: expect.stringContaining("stage 3 needs stages 1, 2"),
    });
  });

  it("ship all after 1,2 shipped skips them as covered and refuses 3 until the group PR is merged; then ships 3 and 4", async () => {
    repo = await shipRepo();
    expect((await repo.cli("/okstra ship 1,2")).code).toBe(0);
    const group = (await repo.pulls()).find((p) => p.head === GROUP_12)!;

    // The group PR is still open: 1 and 2 are covered, not in main, so 3 cannot ship yet.
    expect((await repo.cli("/okstra ship all")).code).toBe(1);
    const refusal = await repo.lastReply();
    expect(refusal).toContain(
      `\`all\` leaves out what is already shipped (stages 1, 2 in #${group.number}), and stage 3 needs stages 1, 2 in the base \`main\` or in this ship.`,
    );
    expect(refusal).toContain(
      `Stages 1, 2 ship in #${group.number}, not merged yet: merge it first, or stack this ship on its branch with \`/okstra ship 3,4 --base ${GROUP_12}\`.`,
    );

    // GitHub's merge button, then the pull_request.closed event. The merge put the heads of stages 1 and 2 into
    // main, so the platform already shows their PRs merged (as GitHub does): okstra links them to the group PR.
    await repo.mergePull(group.number);
    const handled = await onPullRequestClosed(
      { number: group.number, head: GROUP_12, base: "main", merged: true },
      { platform: repo.platform, ledger: repo.ledger, log: silentLogger },
    );
    const stage12 = (await repo.pulls()).filter(
      (p) => p.head === `okstra/${ISSUE}/s1` || p.head === `okstra/${ISSUE}/s2`,
    );
    expect(handled).toMatchObject({ action: "handled", closed: [], noted: stage12.map((p) => p.number) });
    for (const pr of stage12) {
      expect(pr).toMatchObject({ state: "closed", merged: true });
      expect((await repo.comments(pr.number)).at(-1)!.body).toContain(
        `merged into \`main\` as part of #${group.number}`,
      );
    }
    expect(await repo.refExists(`okstra/${ISSUE}/s1`)).toBe(true); // never deleted

    const result = await repo.cli("/okstra ship all");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Skipped, already shipped: stages 1, 2 in #${group.number}.`);
    expect(await log(`main..okstra/${ISSUE}/group-3-4`, "%s")).toEqual(["merge: stage 4", "merge: stage 3"]);
    // Every navigation block now shows 1 and 2 merged and 3, 4 shipped in the new group PR.
    const group34 = (await repo.pulls()).find((p) => p.head === `okstra/${ISSUE}/group-3-4`)!;
    const stage4 = (await repo.pulls()).find((p) => p.head === `okstra/${ISSUE}/s4`)!;
    expect(stage4.body).toContain(`| 1 · CSV field escaping | — | #${stage12[0].number} | 🟣 merged |`);
    expect(stage4.body).toContain(`🚢 shipped in #${group34.number} |`);
    expect((await groupRows()).map((r) => r.stages)).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it("stacks a ship on an open group PR's branch with --base; merging that group retargets the stacked PR to main", async () => {
    repo = await shipRepo();
    expect((await repo.cli("/okstra ship 1,2")).code).toBe(0);
    const result = await repo.cli(`/okstra ship 3,4 --base ${GROUP_12}`);
    expect(result.code).toBe(0);
    const group12 = (await repo.pulls()).find((p) => p.head === GROUP_12)!;
    const group34 = (await repo.pulls()).find((p) => p.head === `okstra/${ISSUE}/group-3-4`)!;
    expect(group34).toMatchObject({ base: GROUP_12, state: "open" });
    expect(await log(`${GROUP_12}..okstra/${ISSUE}/group-3-4`, "%s")).toEqual(["merge: stage 4", "merge: stage 3"]);

    await repo.mergePull(group12.number);
    const handled = await onPullRequestClosed(
      { number: group12.number, head: GROUP_12, base: "main", merged: true },
      { platform: repo.platform, ledger: repo.ledger, log: silentLogger },
    );
    expect(handled.retargeted).toEqual([[group34.number, GROUP_12, "main"]]);
    expect((await repo.pulls()).find((p) => p.number === group34.number)).toMatchObject({
      base: "main",
      state: "open",
    });
    expect(await repo.refExists(GROUP_12)).toBe(true);
  });

  it("a stage whose branch got a commit after verification is not eligible: its verdict is for an older head", async () => {
    repo = await shipRepo();
    const verified = await repo.head(`okstra/${ISSUE}/s2`);
    const moved = await repo.commitOn(`okstra/${ISSUE}/s2`, { "docs/late.md": "a late edit\n" }, "docs: a late edit");

    // Ship reconciles the stage heads before judging them (SPEC §10): done moves to the new commit as a user edit, the verdict stays behind.
    expect((await repo.cli("/okstra ship 1,2")).code).toBe(1);
    expect(await repo.lastReply()).toContain(
      `stage 2: verdict is for an older head (verified at \`${verified.slice(0, 7)}\`, done at \`${moved.slice(0, 7)}\`)`,
    );
    expect((await repo.rows()).filter((r) => r.status === "done" && r.stage === 2).at(-1)).toMatchObject({
      run: "impl-1",
      source: "user-edit",
      headCommit: moved,
    });

    expect((await repo.cli("/okstra ship 2")).code).toBe(1);
    expect(await repo.lastReply()).toContain(
      `stage 2: verdict is for an older head (verified at \`${verified.slice(0, 7)}\`, done at \`${moved.slice(0, 7)}\`)`,
    );
    expect(await repo.refExists(GROUP_12)).toBe(false);
    expect(await groupRows()).toEqual([]);
  });

  it("a real merge conflict between two stages pushes nothing and names the paths and both stages", async () => {
    repo = await shipRepo();
    // Both independent stages rewrite the README after verification; each is then re-verified at its new head.
    const heads = [
      await repo.commitOn(
        `okstra/${ISSUE}/s1`,
        { "README.md": "# inventory-lib\n\nCSV escaping, says stage 1.\n" },
        "docs(readme): stage 1's view",
      ),
      await repo.commitOn(
        `okstra/${ISSUE}/s2`,
        { "README.md": "# inventory-lib\n\nItem values, says stage 2.\n" },
        "docs(readme): stage 2's view",
      ),
    ];
    await repo.append(
      heads.flatMap((head, i) => [
        {
          run: "impl-1",
          status: "done" as const,
          source: "user-edit" as const,
          stage: i + 1,
          headCommit: head,
          branch: `okstra/${ISSUE}/s${i + 1}`,
          carryPath: `tasks/${ISSUE}/carry/stage-${i + 1}.json`,
        },
        {
          run: "verify-2",
          status: "verified" as const,
          stage: i + 1,
          verdict: "accepted" as const,
          reportPath: "runs/verify-2/report.md",
          headCommit: head,
        },
      ]),
    );

    const result = await repo.cli("/okstra ship 1,2");
    expect(result.code).toBe(1);
    expect(await repo.lastReply()).toContain(
      "merging stage 2 into `okstra/1/group-1-2` conflicts with stage 1, merged before it, in `README.md`. Nothing was pushed.",
    );
    expect(await repo.refExists(GROUP_12)).toBe(false);
    expect((await repo.pulls()).some((p) => p.head === GROUP_12)).toBe(false);
    expect(await groupRows()).toEqual([]);
    expect(await repo.ledgerFiles()).not.toContain(`tasks/${ISSUE}/ship-claims.json`);
  });
});
