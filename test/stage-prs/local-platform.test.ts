import { afterEach, describe, expect, it } from "@jest/globals";
import {
  ensureStagePullRequest,
  publishStagePullRequest,
  refreshStackBlocks,
  stagePrRow,
} from "../../src/engine/pull-requests/stage-prs.js";
import { extractSection, STACK_MARKERS } from "../../src/render/stack-block.js";
import { silentLogger } from "../../src/util/log.js";
import { capturedLog, ISSUE, validPlan } from "./fixtures.js";
import { createStageRepo, type StageRepo } from "./local-repo.js";

let repo: StageRepo | undefined;
afterEach(async () => {
  await repo?.dispose();
  repo = undefined;
});

/** What the engine does after each done stage: publish, record the `pr` row. */
async function publish(r: StageRepo, stage: number, log = silentLogger) {
  const pr = await publishStagePullRequest({
    platform: r.platform,
    task: await r.task(),
    plan: r.plan,
    stage,
    draft: true,
    log,
  });
  await r.ledger.appendRows(ISSUE, [
    stagePrRow({ run: "impl-1", stage, branch: pr.branch, number: pr.number, url: pr.url }),
  ]);
  return pr;
}

const navLine = (body: string) => extractSection(body, STACK_MARKERS).split("\n")[1];

describe("stage PRs on the local platform", () => {
  it("opens a draft PR for the stage branch and reuses it on the next ensure", async () => {
    repo = await createStageRepo([1]);
    const first = await publish(repo, 1);
    expect(first).toMatchObject({ number: 13, created: true, branch: "okstra/12/s1", baseBranch: "main" });
    const file = await repo.pullFile(13);
    expect(file).toMatchObject({
      head: "okstra/12/s1",
      base: "main",
      draft: true,
      state: "open",
      title: "Stage 1: Escape CSV fields per RFC 4180 (#12)",
    });
    expect(file.body).toContain("#### Slice value");
    expect(navLine(file.body)).toBe("**Stage 1 of 4** · depends on: nothing · needed by: stage 3");
    // Opened with its final block: the refresh after the `pr` row has nothing to write.
    expect(file.body).toContain("| ➡️ | **1 · Escape CSV fields per RFC 4180** | — | **this PR** | 📝 draft |");
    const refreshed = await refreshStackBlocks({
      platform: repo.platform,
      task: await repo.task(),
      plan: repo.plan,
      log: silentLogger,
    });
    expect(refreshed).toEqual([{ stage: 1, pr: 13, outcome: "unchanged" }]);

    const before = await repo.pullFileText(13);
    const again = await publish(repo, 1);
    expect(again).toMatchObject({ number: 13, created: false, updated: false });
    expect(await repo.pullFileText(13)).toBe(before);
    expect((await repo.platform.listOpenPullRequests({})).map((p) => p.number)).toEqual([13]);
  });

  it("updates a reused PR's title and okstra's sections but keeps what people wrote", async () => {
    repo = await createStageRepo([1]);
    await publish(repo, 1);
    const generated = (await repo.pullFile(13)).body;
    await repo.setPullBody(
      13,
      `Reviewer: looks good so far.\r\n\r\n${generated.replace(/\n/g, "\r\n")}\r\n\r\nP.S. ship it`,
    );
    const result = await ensureStagePullRequest({
      platform: repo.platform,
      stage: 1,
      branch: "okstra/12/s1",
      baseBranch: "main",
      title: "Stage 1: Escape CSV fields (#12)",
      body: generated.replace("#### Slice value", "#### Slice value (revised)"),
      draft: true,
      log: silentLogger,
    });
    expect(result).toMatchObject({ number: 13, url: expect.stringMatching(/^file:/), created: false, updated: true });
    const file = await repo.pullFile(13);
    expect(file.title).toBe("Stage 1: Escape CSV fields (#12)");
    expect(file.body).toBe(
      `Reviewer: looks good so far.\n\n${generated.replace("#### Slice value", "#### Slice value (revised)")}\n\nP.S. ship it`,
    );
    expect(file.draft).toBe(true);
  });

  it("chains a stage on its one unmerged dependency and retargets it to main once that is merged", async () => {
    const plan = validPlan((p) => {
      p.stages[2].dependsOn = [2];
    });
    repo = await createStageRepo([2, 3], plan);
    await publish(repo, 2);
    const chained = await publish(repo, 3);
    expect(chained).toMatchObject({ number: 14, created: true, baseBranch: "okstra/12/s2" });
    expect(await repo.pullFile(14)).toMatchObject({ head: "okstra/12/s3", base: "okstra/12/s2" });

    // The maintainer merges stage 2 with git; the local platform sees PR 13 merged, as GitHub would.
    await repo.gitIn(["merge", "-q", "--no-ff", "-m", "Merge stage 2", "okstra/12/s2"]);
    expect((await repo.platform.getPullRequest(13)).merged).toBe(true);
    const retargeted = await publish(repo, 3);
    expect(retargeted).toMatchObject({ number: 14, created: false, updated: true, baseBranch: "main" });
    expect((await repo.pullFile(14)).base).toBe("main");
  });

  it("rewrites the dependencies and dependents in every stage PR, then writes nothing when nothing changed", async () => {
    repo = await createStageRepo([1, 2, 3]);
    for (const stage of [1, 2, 3]) await publish(repo, stage);
    // Stage 3 depends on two unmerged stages: its base is the merge of both it started from.
    expect((await repo.pullFile(15)).base).toBe("okstra/12/s3-base");
    expect(await repo.gitIn(["rev-list", "okstra/12/s3-base..okstra/12/s3"])).toBe(repo.heads.get(3));

    const results = await refreshStackBlocks({
      platform: repo.platform,
      task: await repo.task(),
      plan: repo.plan,
      log: silentLogger,
    });
    // Stage 3 was opened last, with every number known: only the earlier PRs learn of their dependent.
    expect(results).toEqual([
      { stage: 1, pr: 13, outcome: "replaced" },
      { stage: 2, pr: 14, outcome: "replaced" },
      { stage: 3, pr: 15, outcome: "unchanged" },
    ]);
    expect(navLine((await repo.pullFile(13)).body)).toBe(
      "**Stage 1 of 4** · depends on: nothing · needed by: stage 3 (#15)",
    );
    expect(navLine((await repo.pullFile(14)).body)).toBe(
      "**Stage 2 of 4** · depends on: nothing · needed by: stage 3 (#15)",
    );
    const third = (await repo.pullFile(15)).body;
    expect(navLine(third)).toBe("**Stage 3 of 4** · depends on: stage 1 (#13), stage 2 (#14) · needed by: stage 4");
    expect(third).toContain("| ➡️ | **3 · Public toCsv(rows, options) API** | 1, 2 | **this PR** | 📝 draft |");
    expect(third).toContain("| | 4 · CLI --format csv and documentation | 3 | — | not started |");
    expect(third).toContain(`<!-- okstra:meta {"v":1,"task":12,"stage":3,"head":"${repo.heads.get(3)}"} -->`);

    const files = await Promise.all([13, 14, 15].map((n) => repo!.pullFileText(n)));
    const again = await refreshStackBlocks({
      platform: repo.platform,
      task: await repo.task(),
      plan: repo.plan,
      log: silentLogger,
    });
    expect(again.map((r) => r.outcome)).toEqual(["unchanged", "unchanged", "unchanged"]);
    expect(await Promise.all([13, 14, 15].map((n) => repo!.pullFileText(n)))).toEqual(files);
  });

  it("leaves a PR with a duplicated start marker untouched and logs why", async () => {
    repo = await createStageRepo([1, 2]);
    await publish(repo, 1);
    await publish(repo, 2);
    const pasted = `${(await repo.pullFile(13)).body}\n\nQuoting it: <!-- okstra:stack:start (generated; edits inside are overwritten) -->`;
    await repo.setPullBody(13, pasted);
    const damaged = await repo.pullFileText(13);

    const { log, lines } = capturedLog();
    const results = await refreshStackBlocks({
      platform: repo.platform,
      task: await repo.task(),
      plan: repo.plan,
      log,
    });
    expect(results).toEqual([
      { stage: 1, pr: 13, outcome: "refused", reason: "duplicated stack block: 2 start and 1 end markers" },
      { stage: 2, pr: 14, outcome: "unchanged" },
    ]);
    expect(await repo.pullFileText(13)).toBe(damaged);
    expect(lines()).toEqual([
      expect.objectContaining({
        level: 40,
        pr: 13,
        stage: 1,
        reason: "duplicated stack block: 2 start and 1 end markers",
        msg: "stack block damaged; not rewriting",
      }),
    ]);
    expect(navLine((await repo.pullFile(14)).body)).toBe("**Stage 2 of 4** · depends on: nothing · needed by: stage 3");
  });
});
