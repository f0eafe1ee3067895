import { afterEach, describe, expect, it } from "@jest/globals";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { onPullRequestClosed } from "../../src/engine/handoff/pull-request-closed.js";
import { publishStagePullRequest, stagePrRow } from "../../src/engine/pull-requests/stage-prs.js";
import { restackTask } from "../../src/engine/restack/restack-task.js";
import type { DoneRow } from "../../src/ledger/rows.js";
import { silentLogger } from "../../src/util/log.js";
import { ISSUE, validPlan } from "../stage-prs/fixtures.js";
import { createStageRepo, type StageRepo } from "../stage-prs/local-repo.js";

/**
 * SPEC §15.4's invariant, checked with git over a diamond 1 → 2, 1 → 3,
 * {2, 3} → 4 on the local platform: for every open stage PR, the commits in
 * `base..head` are exactly the stage's own (and okstra's merges, which carry
 * none of a dependency's work) — before and after a squash merge, and
 * separately a rebase merge, of stage 1.
 */

const diamond = () =>
  validPlan((p) => {
    p.stages[1].dependsOn = [1];
    p.stages[2].dependsOn = [1];
    p.stages[3].dependsOn = [2, 3];
  });

let repo: StageRepo | undefined;
afterEach(async () => {
  await repo?.dispose();
  repo = undefined;
});

async function publishAll(r: StageRepo): Promise<Map<number, number>> {
  const numbers = new Map<number, number>();
  for (const stage of [1, 2, 3, 4]) {
    const pr = await publishStagePullRequest({
      platform: r.platform,
      task: await r.task(),
      plan: r.plan,
      stage,
      draft: true,
      log: silentLogger,
    });
    await r.ledger.appendRows(ISSUE, [
      stagePrRow({ run: "impl-1", stage, branch: pr.branch, number: pr.number, url: pr.url }),
    ]);
    numbers.set(stage, pr.number);
  }
  return numbers;
}

/** Every open stage PR as `{stage: [subjects of base..head, oldest first]}`; merges must be okstra's and are left out. */
async function commitsOfOpenPrs(r: StageRepo): Promise<Record<number, string[]>> {
  const seen: Record<number, string[]> = {};
  for (const pr of await r.platform.listOpenPullRequests({})) {
    const stage = Number(/s(\d+)$/.exec(pr.head)![1]);
    const merges = await r.gitIn([
      "rev-list",
      "--merges",
      "--format=%s",
      "--no-commit-header",
      `${pr.base}..${pr.head}`,
    ]);
    for (const subject of merges.split("\n").filter(Boolean)) expect(subject).toMatch(/^chore\(restack\): merge /);
    const own = await r.gitIn([
      "rev-list",
      "--reverse",
      "--no-merges",
      "--format=%s",
      "--no-commit-header",
      `${pr.base}..${pr.head}`,
    ]);
    seen[stage] = own.split("\n").filter(Boolean);
  }
  return seen;
}

const ownOnly = (stages: number[]) => Object.fromEntries(stages.map((s) => [s, [`feat(csv): stage ${s}`]]));

/** What the forge does on a merge it performs itself: the base moves, the PR is closed as merged. */
async function markMerged(r: StageRepo, number: number): Promise<void> {
  const file = path.join(r.dir, ".okstra-local", "pulls", `${number}.json`);
  const pull = JSON.parse(await readFile(file, "utf8")) as Record<string, unknown>;
  await writeFile(file, JSON.stringify({ ...pull, state: "closed", merged: true }, null, 2));
}

/** Someone else's work lands on main first, so the forge's new commits cannot coincide with stage 1's. */
async function advanceMain(r: StageRepo): Promise<void> {
  await writeFile(path.join(r.dir, "CHANGELOG.md"), "unrelated change\n");
  await r.gitIn(["add", "CHANGELOG.md"]);
  await r.gitIn(["commit", "-q", "-m", "docs: changelog"]);
}

async function mergeStage1(r: StageRepo, method: "squash" | "rebase", pr: number) {
  await advanceMain(r);
  if (method === "squash") {
    await r.gitIn(["merge", "-q", "--squash", `okstra/${ISSUE}/s1`]);
    await r.gitIn(["commit", "-q", "-m", `Stage 1 (#${pr})`]);
  } else {
    await r.gitIn(["cherry-pick", `main..okstra/${ISSUE}/s1`]);
  }
  await markMerged(r, pr);
  return onPullRequestClosed(
    { number: pr, head: `okstra/${ISSUE}/s1`, base: "main", merged: true },
    { platform: r.platform, ledger: r.ledger, log: silentLogger },
  );
}

describe.each(["squash", "rebase"] as const)(
  "every open stage PR shows only its own commits (%s merge of stage 1)",
  (method) => {
    it("holds before the merge and after it, with the replaced heads kept and recorded", async () => {
      repo = await createStageRepo([1, 2, 3, 4], diamond());
      const prs = await publishAll(repo);
      expect(await commitsOfOpenPrs(repo)).toEqual(ownOnly([1, 2, 3, 4]));
      expect((await repo.pullFile(prs.get(4)!)).base).toBe(`okstra/${ISSUE}/s4-base`);
      const before = new Map(repo.heads);

      const outcome = await mergeStage1(repo, method, prs.get(1)!);
      expect(outcome.action).toBe("handled");
      expect(outcome.retargeted.map(([pr, , to]) => [pr, to])).toEqual([
        [prs.get(2), "main"],
        [prs.get(3), "main"],
      ]);
      // Stage 1's commits are not in main under their own ids, yet no PR shows them again.
      expect(await commitsOfOpenPrs(repo)).toEqual(ownOnly([2, 3, 4]));
      expect((await repo.pullFile(prs.get(4)!)).base).toBe(`okstra/${ISSUE}/s4-base`);
      const s4Base = await repo.gitIn(["rev-list", "--parents", "-n", "1", `okstra/${ISSUE}/s4-base`]);
      const [, ...parents] = s4Base.split(" ");
      expect(parents.sort()).toEqual(
        [
          await repo.gitIn(["rev-parse", `okstra/${ISSUE}/s2`]),
          await repo.gitIn(["rev-parse", `okstra/${ISSUE}/s3`]),
        ].sort(),
      );

      // Nothing lost: every replaced head is kept under refs/okstra/…, and the ledger records the new heads.
      const kept = await repo.gitIn(["for-each-ref", "--format=%(objectname)", `refs/okstra/${ISSUE}/superseded/`]);
      for (const stage of [2, 3, 4]) expect(kept.split("\n")).toContain(before.get(stage));
      const done = (await repo.task()).rows.filter((r): r is DoneRow => r.status === "done" && r.source === "restack");
      expect(done.map((r) => r.stage).sort()).toEqual([2, 3, 4]);
      for (const row of done) expect(row.headCommit).toBe(await repo.gitIn(["rev-parse", row.branch]));
    });
  },
);

describe("a person's commit on okstra/<N>/s4-base", () => {
  it("is not rewritten by the replay after a squash merge, nor is stage 4", async () => {
    repo = await createStageRepo([1, 2, 3, 4], diamond());
    const prs = await publishAll(repo);
    await repo.gitIn(["checkout", "-q", `okstra/${ISSUE}/s4-base`]);
    await writeFile(path.join(repo.dir, "NOTE.md"), "a person's note\n");
    await repo.gitIn(["add", "NOTE.md"]);
    await repo.gitIn(["commit", "-q", "-m", "docs: a person's note"]);
    const personal = await repo.gitIn(["rev-parse", "HEAD"]);
    await repo.gitIn(["checkout", "-q", "main"]);
    const s4Before = await repo.gitIn(["rev-parse", `okstra/${ISSUE}/s4`]);

    await mergeStage1(repo, "squash", prs.get(1)!);

    expect(await repo.gitIn(["rev-parse", `okstra/${ISSUE}/s4-base`])).toBe(personal);
    expect(await repo.gitIn(["rev-parse", `okstra/${ISSUE}/s4`])).toBe(s4Before);
  });
});

describe("a person's commit on okstra/<N>/s4 itself", () => {
  it("leaves both stage 4 and its s4-base as they were: the two move together or not at all", async () => {
    repo = await createStageRepo([1, 2, 3, 4], diamond());
    const prs = await publishAll(repo);
    await repo.gitIn(["checkout", "-q", `okstra/${ISSUE}/s4`]);
    await writeFile(path.join(repo.dir, "NOTE.md"), "a person's note\n");
    await repo.gitIn(["add", "NOTE.md"]);
    await repo.gitIn(["commit", "-q", "-m", "docs: a person's note on stage 4"]);
    const personal = await repo.gitIn(["rev-parse", "HEAD"]);
    await repo.gitIn(["checkout", "-q", "main"]);
    const baseBefore = await repo.gitIn(["rev-parse", `okstra/${ISSUE}/s4-base`]);

    await mergeStage1(repo, "squash", prs.get(1)!);

    // Stages 2 and 3 were replayed; stage 4's branch moved past the ledger's head, so neither it
    // nor its base was rewritten, and its PR still shows its own work on the base it was built on.
    expect(await repo.gitIn(["rev-parse", `okstra/${ISSUE}/s4`])).toBe(personal);
    expect(await repo.gitIn(["rev-parse", `okstra/${ISSUE}/s4-base`])).toBe(baseBefore);
    const own = await repo.gitIn([
      "rev-list",
      "--format=%s",
      "--no-commit-header",
      `okstra/${ISSUE}/s4-base..okstra/${ISSUE}/s4`,
    ]);
    expect(own.split("\n").sort()).toEqual(["docs: a person's note on stage 4", "feat(csv): stage 4"]);
    for (const stage of [2, 3])
      expect(await repo.gitIn(["rev-parse", `okstra/${ISSUE}/s${stage}`])).not.toBe(repo.heads.get(stage));
  });
});

describe("when a dependency's head moves (restack)", () => {
  it("fast-forwards okstra/<N>/s4-base with the new head and merges that base into stage 4", async () => {
    repo = await createStageRepo([1, 2, 3, 4], diamond());
    const prs = await publishAll(repo);
    const baseBefore = await repo.gitIn(["rev-parse", `okstra/${ISSUE}/s4-base`]);
    // A revise (or a person) adds a commit on stage 2.
    await repo.gitIn(["switch", "-q", `okstra/${ISSUE}/s2`]);
    await writeFile(path.join(repo.dir, "stage-2.txt"), "stage 2, revised\n");
    await repo.gitIn(["commit", "-q", "-am", `fix(csv): stage 2 review\n\nOkstra-Task: #${ISSUE}\nOkstra-Stage: 2`]);
    await repo.gitIn(["switch", "-q", "main"]);

    const task = await repo.task();
    const outcome = await restackTask(
      { platform: repo.platform, ledger: repo.ledger },
      { issue: ISSUE, task, plan: repo.plan, trigger: "test", log: silentLogger },
    );
    expect(outcome.conflicts).toEqual([]);
    expect(outcome.restacked.map((r) => r.stage)).toEqual([4]);
    // The base only moved forward, and holds the new head of stage 2.
    expect(
      await repo.gitIn(["merge-base", "--is-ancestor", baseBefore, `okstra/${ISSUE}/s4-base`]).then(() => true),
    ).toBe(true);
    expect(
      await repo
        .gitIn(["merge-base", "--is-ancestor", `okstra/${ISSUE}/s2`, `okstra/${ISSUE}/s4-base`])
        .then(() => true),
    ).toBe(true);
    expect((await repo.pullFile(prs.get(4)!)).base).toBe(`okstra/${ISSUE}/s4-base`);
    expect(await commitsOfOpenPrs(repo)).toEqual({
      ...ownOnly([1, 3, 4]),
      2: ["feat(csv): stage 2", "fix(csv): stage 2 review"],
    });
  });
});

describe("a restack through okstra/<N>/s4-base when someone pushes to stage 4 meanwhile", () => {
  it("moves neither branch: the base and the stage go forward together or not at all", async () => {
    const r = await createStageRepo([1, 2, 3, 4], diamond());
    repo = r;
    await publishAll(r);
    const baseBefore = await r.gitIn(["rev-parse", `okstra/${ISSUE}/s4-base`]);
    await r.gitIn(["switch", "-q", `okstra/${ISSUE}/s2`]);
    await writeFile(path.join(r.dir, "stage-2.txt"), "stage 2, revised\n");
    await r.gitIn(["commit", "-q", "-am", `fix(csv): stage 2 review\n\nOkstra-Task: #${ISSUE}\nOkstra-Stage: 2`]);
    await r.gitIn(["switch", "-q", "main"]);

    // The person's push lands right after the restack read stage 4's head.
    let personal = "";
    const racing = {
      ...r.platform,
      async getBranchHead(branch: string) {
        const head = await r.platform.getBranchHead(branch);
        if (branch === `okstra/${ISSUE}/s4` && personal === "") {
          await r.gitIn(["switch", "-q", branch]);
          await writeFile(path.join(r.dir, "NOTE.md"), "a person's note\n");
          await r.gitIn(["add", "NOTE.md"]);
          await r.gitIn(["commit", "-q", "-m", "docs: a person's note on stage 4"]);
          personal = await r.gitIn(["rev-parse", "HEAD"]);
          await r.gitIn(["switch", "-q", "main"]);
        }
        return head;
      },
    };
    const restack = restackTask(
      { platform: racing, ledger: r.ledger },
      { issue: ISSUE, task: await r.task(), plan: r.plan, trigger: "test", log: silentLogger },
    );
    await expect(restack).rejects.toMatchObject({ name: "PushRejectedError", branch: `okstra/${ISSUE}/s4` });
    expect(await r.gitIn(["rev-parse", `okstra/${ISSUE}/s4`])).toBe(personal);
    expect(await r.gitIn(["rev-parse", `okstra/${ISSUE}/s4-base`])).toBe(baseBefore);
  });
});

describe("after merge commits of every dependency of a stage on s4-base", () => {
  it("keeps stage 4 on its base while one dependency waits, then retargets it to the task base", async () => {
    repo = await createStageRepo([1, 2, 3, 4], diamond());
    const prs = await publishAll(repo);
    for (const stage of [1, 2, 3]) {
      const number = prs.get(stage)!;
      const base = (await repo.pullFile(number)).base;
      await repo.gitIn(["merge", "-q", "--no-ff", "-m", `Merge stage ${stage}`, `okstra/${ISSUE}/s${stage}`]);
      await markMerged(repo, number);
      await onPullRequestClosed(
        { number, head: `okstra/${ISSUE}/s${stage}`, base, merged: true },
        { platform: repo.platform, ledger: repo.ledger, log: silentLogger },
      );
      const expected = stage === 3 ? "main" : `okstra/${ISSUE}/s4-base`;
      expect([stage, (await repo.pullFile(prs.get(4)!)).base]).toEqual([stage, expected]);
    }
    // On main, stage 4's PR shows its own commit (and okstra's merge of its two dependencies, now in main).
    const own = await repo.gitIn([
      "rev-list",
      "--no-merges",
      "--format=%s",
      "--no-commit-header",
      `main..okstra/${ISSUE}/s4`,
    ]);
    expect(own.split("\n").filter(Boolean)).toEqual(["feat(csv): stage 4"]);
  });
});

describe("after a merge commit of a dependency", () => {
  it("rewrites nothing: the dependents' commits are still their own", async () => {
    repo = await createStageRepo([1, 2, 3, 4], diamond());
    const prs = await publishAll(repo);
    await advanceMain(repo);
    await repo.gitIn(["merge", "-q", "--no-ff", "-m", "Merge stage 1", `okstra/${ISSUE}/s1`]);
    await onPullRequestClosed(
      { number: prs.get(1)!, head: `okstra/${ISSUE}/s1`, base: "main", merged: true },
      { platform: repo.platform, ledger: repo.ledger, log: silentLogger },
    );
    expect(await commitsOfOpenPrs(repo)).toEqual(ownOnly([2, 3, 4]));
    for (const stage of [2, 3, 4])
      expect(await repo.gitIn(["rev-parse", `okstra/${ISSUE}/s${stage}`])).toBe(repo.heads.get(stage));
    expect(await repo.gitIn(["for-each-ref", "refs/okstra/"])).toBe("");
  });
});
