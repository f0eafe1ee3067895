import { beforeEach, describe, expect, it } from "@jest/globals";
import { httpMock } from "../helpers/http-mock.js";
import { sha } from "../ledger/fixtures.js";
import { restCommit, restComparison } from "../platform/github/commit-fixtures.js";
import { createTestApp, INSTALLATION_TOKEN, mockInstallationToken, type TestApp } from "../helpers/probot.js";
import {
  closed,
  doneRow,
  groupPrRow,
  keep,
  merged,
  mockLedgerRead,
  pullRequestClosedPayload,
  recordOrder,
  REPO,
  restPull,
  stagePrRow,
} from "./github-fixture.js";

let app: TestApp;
beforeEach(async () => {
  app = await createTestApp();
});

async function deliver(payload: Record<string, any>, deliveryId = "delivery-pr-1") {
  await app.probot.receive({ id: deliveryId, name: "pull_request", payload: payload as never });
  await app.queue.drain();
}

/** The job's requests, all made with the installation token and recorded in order. */
function github() {
  mockInstallationToken();
  const scope = httpMock().matchHeader("authorization", `token ${INSTALLATION_TOKEN}`);
  return { scope, order: recordOrder(scope) };
}

const openOn = (base: string) => ({ state: "open", base, per_page: "100" });

describe("pull_request.closed through the Probot app (GitHub adapter, nock)", () => {
  it("retargets the PR based on a merged stage branch to its base before anything else, refreshes the blocks, and deletes nothing", async () => {
    const { scope, order } = github();
    const patches: Array<Record<string, unknown>> = [];
    // Stage 3 (#103, onto main) was merged; stage 4 (#104) is based on stage 3's branch.
    scope
      .get(`${REPO}/pulls`)
      .query(openOn("okstra/1/s3"))
      .reply(200, [restPull(104, "okstra/1/s4", "okstra/1/s3")]);
    scope.patch(`${REPO}/pulls/104`, keep(patches)).reply(200, restPull(104, "okstra/1/s4", "main"));
    mockLedgerRead(scope, [doneRow(3), doneRow(4), stagePrRow(3, 103), stagePrRow(4, 104)]);
    // How it was merged: stage 3's head is in main (a merge commit), so stage 4's commits are still its own (§15.4).
    const mainHead = sha("main-after-merge");
    scope.get(`${REPO}/git/ref/heads/main`).reply(200, {
      ref: "refs/heads/main",
      node_id: "REF_main",
      url: `https://api.github.com${REPO}/git/refs/heads/main`,
      object: { type: "commit", sha: mainHead, url: `https://api.github.com${REPO}/git/commits/${mainHead}` },
    });
    const head3 = restCommit(REPO, {
      sha: sha("s3-head"),
      tree: sha("t3"),
      message: "feat: stage 3",
      name: "okstra",
      login: null,
    });
    const merge = restCommit(REPO, {
      sha: mainHead,
      tree: sha("t4"),
      message: "Merge stage 3",
      name: "Alice",
      login: "alice",
      parents: [sha("main"), sha("s3-head")],
    });
    scope
      .get(`${REPO}/compare/${sha("s3-head")}...${mainHead}`)
      .reply(200, restComparison(REPO, { base: head3, mergeBase: head3, status: "ahead", commits: [merge] }));
    // The navigation refresh: each stage PR read for the states, re-read before its write, written once.
    scope
      .get(`${REPO}/pulls/103`)
      .times(2)
      .reply(200, restPull(103, "okstra/1/s3", "main", merged));
    scope
      .get(`${REPO}/pulls/104`)
      .times(2)
      .reply(200, restPull(104, "okstra/1/s4", "main"));
    scope.patch(`${REPO}/pulls/103`, keep(patches)).reply(200, restPull(103, "okstra/1/s3", "main", merged));
    scope.patch(`${REPO}/pulls/104`, keep(patches)).reply(200, restPull(104, "okstra/1/s4", "main"));

    await deliver(pullRequestClosedPayload({ number: 103, head: "okstra/1/s3", base: "main", merged: true }));

    // The dependents are looked up and retargeted before the ledger or any other PR is touched.
    expect(order.slice(0, 2)).toEqual([
      "GET /repos/Codertocat/Hello-World/pulls?state=open&base=okstra/1/s3&per_page=100",
      "PATCH /repos/Codertocat/Hello-World/pulls/104",
    ]);
    expect(patches[0]).toEqual({ base: "main" });
    expect(order.filter((r) => r.startsWith("PATCH"))).toEqual([
      "PATCH /repos/Codertocat/Hello-World/pulls/104",
      "PATCH /repos/Codertocat/Hello-World/pulls/103",
      "PATCH /repos/Codertocat/Hello-World/pulls/104",
    ]);
    // okstra never deletes a branch, least of all one an open PR is based on.
    expect(order.filter((r) => r.startsWith("DELETE") || r.includes("/git/refs"))).toEqual([]);
    expect(patches[1].body).toContain(
      "| ➡️ | **3 · Public toCsv(rows, options) API** | 1, 2 | **this PR** | 🟣 merged |",
    );
    expect(patches[2].body).toContain("| | 3 · Public toCsv(rows, options) API | 1, 2 | #103 | 🟣 merged |");
  });

  it("a merged group PR: retargets what was based on its branches first, then closes its open stage PRs with a comment linking it", async () => {
    const { scope, order } = github();
    const patches: Array<Record<string, unknown>> = [];
    const comments: Array<Record<string, unknown>> = [];
    // Group #106 shipped stages 1 and 2. Someone's PR #200 was built on stage 1's branch.
    scope.get(`${REPO}/pulls`).query(openOn("okstra/1/group-1-2")).reply(200, []);
    scope
      .get(`${REPO}/pulls`)
      .query(openOn("okstra/1/s1"))
      .reply(200, [restPull(200, "feature/on-stage-1", "okstra/1/s1")]);
    scope.patch(`${REPO}/pulls/200`, keep(patches)).reply(200, restPull(200, "feature/on-stage-1", "main"));
    scope.get(`${REPO}/pulls`).query(openOn("okstra/1/s2")).reply(200, []);
    mockLedgerRead(scope, [
      doneRow(1),
      doneRow(2),
      doneRow(3),
      stagePrRow(1, 101),
      stagePrRow(2, 102),
      stagePrRow(3, 103),
      groupPrRow([1, 2], 106),
    ]);
    for (const [number, stage] of [
      [101, 1],
      [102, 2],
    ]) {
      scope.get(`${REPO}/pulls/${number}`).reply(200, restPull(number, `okstra/1/s${stage}`, "main"));
      scope.get(`${REPO}/issues/${number}/comments`).query({ per_page: "100" }).reply(200, []);
      scope.post(`${REPO}/issues/${number}/comments`, keep(comments)).reply(201, {
        id: 9000 + number,
        body: "",
        user: { login: "okstra[bot]" },
        created_at: "2026-11-21T10:00:00Z",
        updated_at: "2026-11-21T10:00:00Z",
      });
      scope
        .patch(`${REPO}/pulls/${number}`, keep(patches))
        .reply(200, restPull(number, `okstra/1/s${stage}`, "main", closed));
      // Closed unmerged now: the refresh reads them and leaves them alone.
      scope
        .get(`${REPO}/pulls/${number}`)
        .times(2)
        .reply(200, restPull(number, `okstra/1/s${stage}`, "main", closed));
    }
    scope
      .get(`${REPO}/pulls/103`)
      .times(2)
      .reply(200, restPull(103, "okstra/1/s3", "main"));
    scope.patch(`${REPO}/pulls/103`, keep(patches)).reply(200, restPull(103, "okstra/1/s3", "main"));

    await deliver(pullRequestClosedPayload({ number: 106, head: "okstra/1/group-1-2", base: "main", merged: true }));

    const firstLedgerRead = order.findIndex((r) => r.includes("/git/"));
    const retarget = order.indexOf("PATCH /repos/Codertocat/Hello-World/pulls/200");
    expect(retarget).toBeGreaterThan(-1);
    expect(retarget).toBeLessThan(firstLedgerRead);
    expect(order.slice(0, retarget).every((r) => r.startsWith("GET /repos/Codertocat/Hello-World/pulls?"))).toBe(true);
    expect(patches).toEqual([
      { base: "main" },
      { state: "closed" },
      { state: "closed" },
      { body: expect.stringContaining("🚢 shipped in #106") },
    ]);
    expect(comments.map((c) => c.body)).toEqual([
      expect.stringContaining("as part of #106, so okstra closes this PR"),
      expect.stringContaining("as part of #106, so okstra closes this PR"),
    ]);
    // Each stage PR is told before it is closed.
    expect(order.indexOf("POST /repos/Codertocat/Hello-World/issues/101/comments")).toBeLessThan(
      order.indexOf("PATCH /repos/Codertocat/Hello-World/pulls/101"),
    );
    expect(order.filter((r) => r.startsWith("DELETE") || r.includes("/git/refs"))).toEqual([]);
  });

  it("a redelivered event is handled once", async () => {
    const { scope } = github();
    scope.get(`${REPO}/pulls`).query(openOn("okstra/1/s4")).reply(200, []);
    mockLedgerRead(scope, [doneRow(4)]); // no `pr` row names #104: not okstra's, nothing more to do
    const payload = pullRequestClosedPayload({ number: 104, head: "okstra/1/s4", base: "okstra/1/s3", merged: true });
    await deliver(payload, "delivery-same");
    await deliver(payload, "delivery-same");
  });

  it.each([
    ["closed without merging", { number: 103, head: "okstra/1/s3", base: "main", merged: false }],
    ["not on an okstra branch", { number: 7, head: "feature/x", base: "main", merged: true }],
    ["opened by a person", { number: 103, head: "okstra/1/s3", base: "main", merged: true, userType: "User" as const }],
    ["from a fork", { number: 103, head: "okstra/1/s3", base: "main", merged: true, fork: true }],
  ])("ignores a PR %s: no job, not a single request", async (_, adjust) => {
    // No mocks: the shared helper fails the test on any request, the installation token exchange included.
    await deliver(pullRequestClosedPayload(adjust));
  });
});
