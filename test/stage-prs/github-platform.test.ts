import { describe, expect, it } from "@jest/globals";
import { Octokit } from "@octokit/rest";
import {
  ensureStagePullRequest,
  publishStagePullRequest,
  refreshStackBlocks,
} from "../../src/engine/pull-requests/stage-prs.js";
import { createGitHubPlatform } from "../../src/platform/github/index.js";
import type { Platform } from "../../src/platform/types.js";
import { renderStagePrBody } from "../../src/render/stage-pr-body.js";
import { extractSection, renderStackBlock, STACK_MARKERS, STAGE_BODY_MARKERS } from "../../src/render/stack-block.js";
import { silentLogger } from "../../src/util/log.js";
import { httpMock } from "../helpers/http-mock.js";
import { capturedLog, doneRow, ISSUE, prRow, sha, stageCarry, taskFrom, validPlan } from "./fixtures.js";

const PULLS = "/repos/o/r/pulls";

function github(): Platform {
  // Octokit logs every 4xx through console.error; the race test asserts that outcome itself.
  const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
  return createGitHubPlatform(
    new Octokit({ auth: "ghs_test", log: quiet }),
    { owner: "o", repo: "r" },
    { installationToken: async () => "ghs_test" },
  );
}

/** A pull request as GitHub's REST API returns it (the fields the adapter reads). */
function restPull(number: number, stage: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    number,
    node_id: `PR_${number}`,
    title: `Stage ${stage}`,
    body: "",
    head: { ref: `okstra/${ISSUE}/s${stage}`, sha: "a".repeat(40), label: `o:okstra/${ISSUE}/s${stage}` },
    base: { ref: "main", sha: "b".repeat(40), label: "o:main" },
    draft: true,
    state: "open",
    merged_at: null,
    html_url: `https://github.com/o/r/pull/${number}`,
    ...overrides,
  };
}

/** Records the JSON body of a mocked request for assertions after the call. */
function capture(into: Array<Record<string, unknown>>) {
  return (body: Record<string, unknown>) => {
    into.push(body);
    return true;
  };
}

const openByHead = (stage: number) => ({ state: "open", head: `o:okstra/${ISSUE}/s${stage}`, per_page: "100" });

describe("stage PRs against the GitHub adapter", () => {
  it("opens stage 3 as a draft on the branch of its one unmerged dependency", async () => {
    const plan = validPlan((p) => {
      p.stages[2].dependsOn = [2];
    });
    const task = taskFrom([doneRow(2), doneRow(3), prRow(2, 102)], plan, [stageCarry(2), stageCarry(3)]);
    const posted: Array<Record<string, unknown>> = [];
    httpMock()
      .get(`${PULLS}/102`)
      .reply(200, restPull(102, 2))
      .get(PULLS)
      .query(openByHead(3))
      .reply(200, [])
      .post(PULLS, capture(posted))
      .reply(201, restPull(103, 3, { base: { ref: "okstra/12/s2", sha: "c".repeat(40) } }));

    const pr = await publishStagePullRequest({
      platform: github(),
      task,
      plan,
      stage: 3,
      draft: true,
      log: silentLogger,
    });
    expect(pr).toMatchObject({
      number: 103,
      url: "https://github.com/o/r/pull/103",
      created: true,
      updated: false,
      branch: "okstra/12/s3",
      baseBranch: "okstra/12/s2",
    });
    expect(posted).toEqual([
      {
        title: "Stage 3: Public toCsv(rows, options) API (#12)",
        head: "okstra/12/s3",
        base: "okstra/12/s2",
        draft: true,
        body: expect.stringContaining("- **Stage 2**: `okstra/12/s2` at"),
      },
    ]);
  });

  it("opens a stage with two unmerged dependencies on okstra/<N>/s<S>-base, made at the merge it started from, and keeps it", async () => {
    const plan = validPlan(); // stage 3 depends on 1 and 2
    const start = sha("merge-of-1-and-2");
    const carries = [
      stageCarry(1),
      stageCarry(2),
      stageCarry(3, { stageCommitRange: { base: start, head: sha("s3-head") } }),
    ];
    const task = taskFrom([doneRow(1), doneRow(2), doneRow(3), prRow(1, 101), prRow(2, 102)], plan, carries);
    const posted: Array<Record<string, unknown>> = [];
    const refs: Array<Record<string, unknown>> = [];
    httpMock()
      .get(`${PULLS}/101`)
      .reply(200, restPull(101, 1))
      .get(`${PULLS}/102`)
      .reply(200, restPull(102, 2))
      .get("/repos/o/r/git/ref/heads/okstra/12/s3-base")
      .reply(404, { message: "Not Found" })
      .post("/repos/o/r/git/refs", capture(refs))
      .reply(201, { ref: "refs/heads/okstra/12/s3-base", object: { sha: start, type: "commit" } })
      .get(PULLS)
      .query(openByHead(3))
      .reply(200, [])
      .post(PULLS, capture(posted))
      .reply(201, restPull(103, 3));
    const first = await publishStagePullRequest({
      platform: github(),
      task,
      plan,
      stage: 3,
      draft: true,
      log: silentLogger,
    });
    expect(first).toMatchObject({ baseBranch: "okstra/12/s3-base", created: true });
    expect(refs).toEqual([{ ref: "refs/heads/okstra/12/s3-base", sha: start }]);
    expect(posted[0]).toMatchObject({ head: "okstra/12/s3", base: "okstra/12/s3-base", draft: true });

    // One dependency merged: the stage's history still holds the merge of both, which only its base branch has.
    httpMock()
      .get(`${PULLS}/101`)
      .reply(200, restPull(101, 1, { state: "closed", merged_at: "2025-03-02T00:00:00Z" }))
      .get(`${PULLS}/102`)
      .reply(200, restPull(102, 2))
      .get("/repos/o/r/git/ref/heads/okstra/12/s3-base")
      .reply(200, { ref: "refs/heads/okstra/12/s3-base", object: { sha: start, type: "commit" } })
      .get(PULLS)
      .query(openByHead(3))
      .reply(200, [])
      .post(PULLS, capture(posted))
      .reply(201, restPull(103, 3));
    await publishStagePullRequest({ platform: github(), task, plan, stage: 3, draft: true, log: silentLogger });
    expect(posted[1]).toMatchObject({ base: "okstra/12/s3-base" });
  });

  it("reuses the open PR of the branch and PATCHes only okstra's sections of its body", async () => {
    const plan = validPlan();
    const render = (tail: string) =>
      renderStagePrBody({
        plan,
        stage: 1,
        carry: stageCarry(1, {
          validation: [{ phase: "post", command: "node --test", exitCode: 0, durationMs: 9, outputTail: tail }],
        }),
        task: { issue: ISSUE },
        dependencies: [],
        stack: [{ stage: 1, title: plan.stages[0].title, pr: 101, state: "draft" }],
      });
    const old = render("old run").body;
    const next = render("new run");
    const current = `Notes from @alice:\r\n- check quoting\r\n\r\n${old.replace(/\n/g, "\r\n")}\r\n\r\nThanks!`;
    const patched: Array<Record<string, unknown>> = [];
    httpMock()
      .get(PULLS)
      .query(openByHead(1))
      .reply(200, [restPull(101, 1, { title: next.title, body: current })])
      .patch(`${PULLS}/101`, capture(patched))
      .reply(200, restPull(101, 1));

    const result = await ensureStagePullRequest({
      platform: github(),
      stage: 1,
      branch: "okstra/12/s1",
      baseBranch: "main",
      title: next.title,
      body: next.body,
      draft: true,
      log: silentLogger,
    });
    expect(result).toMatchObject({
      number: 101,
      url: "https://github.com/o/r/pull/101",
      created: false,
      updated: true,
    });
    expect(patched).toEqual([
      {
        body: `Notes from @alice:\n- check quoting\n\n${extractSection(next.body, STAGE_BODY_MARKERS)}\n\n${extractSection(next.body, STACK_MARKERS)}\n\nThanks!`,
      },
    ]);
    expect(patched[0].body).toContain("new run");
  });

  it("reuses the PR another run opened between the lookup and the create", async () => {
    const plan = validPlan();
    const { title, body } = renderStagePrBody({
      plan,
      stage: 1,
      carry: stageCarry(1),
      task: { issue: ISSUE },
      dependencies: [],
      stack: [{ stage: 1, title: "x", state: "draft" }],
    });
    httpMock()
      .get(PULLS)
      .query(openByHead(1))
      .reply(200, [])
      .post(PULLS)
      .reply(422, {
        message: "Validation Failed",
        errors: [
          { resource: "PullRequest", code: "custom", message: "A pull request already exists for o:okstra/12/s1." },
        ],
      })
      .get(PULLS)
      .query(openByHead(1))
      .reply(200, [restPull(101, 1, { title, body })]);
    const result = await ensureStagePullRequest({
      platform: github(),
      stage: 1,
      branch: "okstra/12/s1",
      baseBranch: "main",
      title,
      body,
      draft: true,
      log: silentLogger,
    });
    expect(result).toMatchObject({
      number: 101,
      url: "https://github.com/o/r/pull/101",
      created: false,
      updated: false,
    });
  });

  it("refreshes the block of every stage PR from fresh reads: PATCH where it changed, nothing where it did not or is damaged", async () => {
    const plan = validPlan();
    const task = taskFrom([doneRow(1), doneRow(2), doneRow(3), prRow(1, 101), prRow(2, 102), prRow(3, 103)], plan);
    const entries = [
      { stage: 1, title: plan.stages[0].title, pr: 101, state: "merged" as const },
      { stage: 2, title: plan.stages[1].title, pr: 102, state: "draft" as const },
      { stage: 3, title: plan.stages[2].title, pr: 103, state: "draft" as const },
      { stage: 4, title: plan.stages[3].title, state: "not-started" as const },
    ].map((e) => ({ ...e, dependsOn: plan.stages[e.stage - 1].dependsOn }));
    const blockFor = (stage: number) =>
      renderStackBlock(entries, stage, { task: ISSUE, stage, head: sha(`s${stage}-head`) });
    const stale = renderStackBlock(
      entries.map((e) => ({ ...e, state: "draft" as const })),
      1,
      { task: ISSUE, stage: 1 },
    );
    const merged = { state: "closed", merged_at: "2025-03-02T00:00:00Z" };
    const bodies = {
      101: `Above\n\n${stale}\n\nBelow`,
      102: `${blockFor(2)}\n\n${blockFor(2)}`, // pasted twice: damaged
      103: `Up to date\n\n${blockFor(3)}`,
    };
    const patched: Array<Record<string, unknown>> = [];
    httpMock()
      // First pass: what each PR is now (merged?), for every block.
      .get(`${PULLS}/101`)
      .reply(200, restPull(101, 1, { ...merged, body: "older" }))
      .get(`${PULLS}/102`)
      .reply(200, restPull(102, 2))
      .get(`${PULLS}/103`)
      .reply(200, restPull(103, 3))
      // Then, per PR, the body re-read right before its write.
      .get(`${PULLS}/101`)
      .reply(200, restPull(101, 1, { ...merged, body: bodies[101] }))
      .patch(`${PULLS}/101`, capture(patched))
      .reply(200, restPull(101, 1))
      .get(`${PULLS}/102`)
      .reply(200, restPull(102, 2, { body: bodies[102] }))
      .get(`${PULLS}/103`)
      .reply(200, restPull(103, 3, { body: bodies[103] }));

    const { log, lines } = capturedLog();
    const results = await refreshStackBlocks({ platform: github(), task, plan, log });
    expect(results).toEqual([
      { stage: 1, pr: 101, outcome: "replaced" },
      { stage: 2, pr: 102, outcome: "refused", reason: "duplicated stack block: 2 start and 2 end markers" },
      { stage: 3, pr: 103, outcome: "unchanged" },
    ]);
    expect(patched).toEqual([{ body: `Above\n\n${blockFor(1)}\n\nBelow` }]);
    expect(patched[0].body).toContain("| ➡️ | **1 · Escape CSV fields per RFC 4180** | — | **this PR** | 🟣 merged |");
    expect(patched[0].body).toContain("**Stage 1 of 4** · depends on: nothing · needed by: stage 3 (#103)");
    expect(lines()).toEqual([
      expect.objectContaining({ level: 40, pr: 102, msg: "stack block damaged; not rewriting" }),
    ]);
  });
});
