import { beforeEach, describe, expect, it } from "@jest/globals";
import type nock from "nock";
import { gitBlobSha } from "../../src/ledger/object-cache.js";
import type { LedgerRow } from "../../src/ledger/rows.js";
import { keep, recordOrder, REPO, stagePrRow } from "../handoff/github-fixture.js";
import { httpMock } from "../helpers/http-mock.js";
import { createTestApp, INSTALLATION_TOKEN, mockInstallationToken, type TestApp } from "../helpers/probot.js";
import { webhookExample } from "../helpers/webhooks.js";
import { blobBody, commitCreated, treeBody } from "../ledger/github-fixture.js";
import { sha, T0, taskMeta } from "../ledger/fixtures.js";
import { restCommit, restComparison } from "../platform/github/commit-fixtures.js";
import { validPlan } from "../planning/plan-fixture.js";
import { signLedgerFiles } from "../helpers/signed-ledger.js";

/**
 * `pull_request.synchronize` on a stage PR through the real Probot app and
 * its GitHub processor, with GitHub's API mocked by nock: what the handler
 * queues, and every request the job makes, in order. Task 1 of
 * Codertocat/Hello-World (the webhook examples' repository): stage 1 done at
 * OLD, verified `accepted` there by verify-1 with a check run, PR #101.
 */

const OLD = sha("s1-head");
const NEW = sha("s1-moved");
const LEDGER = { before: sha("ledger-head"), after: sha("ledger-next") };
const AT = T0.toISOString();
const GRAPHQL = "POST /graphql";

const rows: LedgerRow[] = [
  {
    at: AT,
    run: "impl-1",
    status: "done",
    stage: 1,
    headCommit: OLD,
    branch: "okstra/1/s1",
    carryPath: "tasks/1/carry/stage-1.json",
  },
  stagePrRow(1, 101),
  {
    at: AT,
    run: "verify-1",
    status: "verified",
    stage: 1,
    verdict: "accepted",
    reportPath: "tasks/1/runs/verify-1/report.md",
    headCommit: OLD,
  },
];
const runJson = {
  id: "verify-1",
  phase: "verification",
  trigger: { kind: "comment", commentId: 7, deliveryId: "d-7", actor: "Codertocat", command: "/okstra verify" },
  status: "succeeded",
  startedAt: AT,
  batch: [1],
  checkRuns: [{ stage: 1, headSha: OLD, externalId: "1/1/verify-1", id: 555 }],
};
// As okstra wrote them (SPEC §14.5): rows signed, files listed in signatures.json.
const files: Record<string, string> = signLedgerFiles({
  "tasks/1/task.json": `${JSON.stringify(taskMeta(1), null, 2)}\n`,
  "tasks/1/plan.json": `${JSON.stringify(validPlan(), null, 2)}\n`,
  "tasks/1/ledger.jsonl": rows.map((r) => `${JSON.stringify(r)}\n`).join(""),
  "tasks/1/runs/verify-1/run.json": `${JSON.stringify(runJson, null, 2)}\n`,
});

let app: TestApp;
beforeEach(async () => {
  app = await createTestApp();
});

/** The job's requests, all made with the installation token and recorded in order. */
function github() {
  mockInstallationToken();
  const scope = httpMock().matchHeader("authorization", `token ${INSTALLATION_TOKEN}`);
  return { scope, order: recordOrder(scope) };
}

/** The ledger branch: read at its head, then at the commit the job's one mutation made. */
function mockLedger(
  scope: nock.Scope,
  graphql: Array<Record<string, unknown>>,
  reads: { before: number; after: number },
  alsoRead: string[] = [],
) {
  const ref = (commit: string) => ({ ref: "refs/heads/okstra/ledger", object: { type: "commit", sha: commit } });
  scope.get(`${REPO}/git/ref/heads/okstra/ledger`).times(reads.before).reply(200, ref(LEDGER.before));
  scope
    .get(`${REPO}/git/trees/${LEDGER.before}`)
    .query({ recursive: "1" })
    .reply(200, treeBody(sha("ledger-tree"), files));
  for (const path of [
    "tasks/1/task.json",
    "tasks/1/signatures.json",
    "tasks/1/plan.json",
    "tasks/1/ledger.jsonl",
    ...alsoRead,
  ])
    scope.get(`${REPO}/git/blobs/${gitBlobSha(files[path]!)}`).reply(200, blobBody(files[path]!));
  scope.post("/graphql", keep(graphql)).reply(200, commitCreated(LEDGER.after, sha("ledger-tree-2")));
  if (reads.after > 0)
    scope.get(`${REPO}/git/ref/heads/okstra/ledger`).times(reads.after).reply(200, ref(LEDGER.after));
}

function synchronize(head = "okstra/1/s1"): Record<string, any> {
  const payload = webhookExample("pull_request", "synchronize");
  payload.number = 101;
  payload.pull_request.number = 101;
  payload.pull_request.head.ref = head;
  payload.pull_request.head.sha = NEW;
  payload.before = OLD;
  payload.after = NEW;
  payload.installation = { id: 1, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==" };
  return payload;
}

async function deliver(payload: Record<string, unknown>, id = "delivery-sync") {
  await app.probot.receive({ id, name: "pull_request", payload: payload as never });
  await app.queue.drain();
}

const appendedRows = (graphql: Array<Record<string, unknown>>): Array<Record<string, unknown>> => {
  const input = (
    graphql[0] as { variables: { input: { fileChanges: { additions: Array<{ path: string; contents: string }> } } } }
  ).variables.input;
  const text = Buffer.from(
    input.fileChanges.additions.find((a) => a.path === "tasks/1/ledger.jsonl")!.contents,
    "base64",
  ).toString("utf8");
  // Each appended row is signed (SPEC §14.5); the signature is checked in test/ledger, the rows' content here.
  return text
    .trim()
    .split("\n")
    .slice(rows.length)
    .map((line) => {
      const { mac, ...row } = JSON.parse(line) as Record<string, unknown>;
      expect(mac).toMatch(/^test-key:[0-9a-f]{64}$/);
      return row;
    });
};

describe("pull_request.synchronize on a stage PR, on GitHub (real Probot app and processor, nock)", () => {
  it("a rebase to the same tree: one compare request, one ledger commit, the verdict's check run on the new head, the navigation block — and no verification", async () => {
    const { scope, order } = github();
    const graphql: Array<Record<string, unknown>> = [];
    const checks: Array<Record<string, unknown>> = [];
    const patches: Array<Record<string, unknown>> = [];
    mockLedger(scope, graphql, { before: 2, after: 1 }, ["tasks/1/runs/verify-1/run.json"]);
    scope
      .get(`${REPO}/git/ref/heads/okstra/1/s1`)
      .reply(200, { ref: "refs/heads/okstra/1/s1", object: { type: "commit", sha: NEW } });
    const base = restCommit(REPO, {
      sha: OLD,
      tree: sha("tree-1"),
      message: "feat(csv): encoding",
      name: "okstra",
      login: null,
    });
    scope.get(`${REPO}/compare/${OLD}...${NEW}`).reply(
      200,
      restComparison(REPO, {
        base,
        mergeBase: restCommit(REPO, {
          sha: sha("main"),
          tree: sha("tree-0"),
          message: "chore",
          name: "Mona",
          login: "mona",
        }),
        status: "diverged",
        behindBy: 1,
        commits: [
          restCommit(REPO, {
            sha: NEW,
            tree: sha("tree-1"),
            message: "feat(csv): encoding",
            name: "Codertocat",
            login: "Codertocat",
          }),
        ],
      }),
    );
    scope.post(`${REPO}/check-runs`, keep(checks)).reply(201, {
      id: 556,
      name: "okstra / stage 1",
      head_sha: NEW,
      status: "completed",
      conclusion: "success",
      html_url: "https://github.com/Codertocat/Hello-World/runs/556",
    });
    scope
      .get(`${REPO}/pulls/101`)
      .times(2)
      .reply(200, {
        number: 101,
        node_id: "PR_101",
        title: "Stage 1",
        body: "",
        head: { ref: "okstra/1/s1" },
        base: { ref: "main" },
        draft: false,
        state: "open",
        merged: false,
        merged_at: null,
        html_url: "https://github.com/Codertocat/Hello-World/pull/101",
      });
    scope.patch(`${REPO}/pulls/101`, keep(patches)).reply(200, {});

    await deliver(synchronize());

    expect(order).toEqual([
      // The task, from a cold cache: ref, tree, the three files readTask opens.
      `GET ${REPO}/git/ref/heads/okstra/ledger`,
      `GET ${REPO}/git/trees/${LEDGER.before}?recursive=1`,
      ...["task.json", "signatures.json", "ledger.jsonl", "plan.json"].map(() =>
        expect.stringMatching(new RegExp(`^GET ${REPO}/git/blobs/`)),
      ),
      // Where the one done stage's branch is, and how its head relates to the recorded one.
      `GET ${REPO}/git/ref/heads/okstra/1/s1`,
      `GET ${REPO}/compare/${OLD}...${NEW}`,
      // One mutation, one commit; in it, verify-1's run.json says whether it created a check run for stage 1.
      `GET ${REPO}/git/ref/heads/okstra/ledger`,
      `GET ${REPO}/git/blobs/${gitBlobSha(files["tasks/1/runs/verify-1/run.json"]!)}`,
      GRAPHQL,
      `POST ${REPO}/check-runs`,
      // The navigation block names the new head.
      `GET ${REPO}/git/ref/heads/okstra/ledger`,
      `GET ${REPO}/pulls/101`,
      `GET ${REPO}/pulls/101`,
      `PATCH ${REPO}/pulls/101`,
    ]);
    expect(appendedRows(graphql)).toEqual([
      {
        at: expect.any(String),
        run: "impl-1",
        status: "done",
        source: "git-reconcile",
        stage: 1,
        headCommit: NEW,
        branch: "okstra/1/s1",
        carryPath: "tasks/1/carry/stage-1.json",
      },
      {
        at: expect.any(String),
        run: "verify-1",
        status: "verified",
        source: "git-reconcile",
        stage: 1,
        verdict: "accepted",
        reportPath: "tasks/1/runs/verify-1/report.md",
        headCommit: NEW,
      },
    ]);
    expect(checks).toEqual([
      expect.objectContaining({
        name: "okstra / stage 1",
        head_sha: NEW,
        status: "completed",
        conclusion: "success",
        external_id: "1/1/verify-1",
        actions: [{ label: "Re-verify", description: "Verify this stage again", identifier: "reverify" }],
      }),
    ]);
    expect((checks[0]!.output as { title: string }).title).toBe(`✅ Accepted · carried over from ${OLD.slice(0, 12)}`);
    expect(patches[0]!.body).toContain(`"head":"${NEW}"`);
  });

  it("a commit pushed on top: a user-edit done, the note on the PR, and — with an invalid configuration — a status on the issue saying why it was not re-verified", async () => {
    const { scope, order } = github();
    const graphql: Array<Record<string, unknown>> = [];
    const comments: Array<{ path: string; body: string }> = [];
    mockLedger(scope, graphql, { before: 2, after: 0 });
    scope
      .get(`${REPO}/git/ref/heads/okstra/1/s1`)
      .reply(200, { ref: "refs/heads/okstra/1/s1", object: { type: "commit", sha: NEW } });
    const old = restCommit(REPO, {
      sha: OLD,
      tree: sha("tree-1"),
      message: "feat(csv): encoding",
      name: "okstra",
      login: null,
    });
    scope.get(`${REPO}/compare/${OLD}...${NEW}`).reply(
      200,
      restComparison(REPO, {
        base: old,
        mergeBase: old,
        status: "ahead",
        commits: [
          restCommit(REPO, {
            sha: NEW,
            tree: sha("tree-2"),
            message: "fix(csv): quote @mentions and *stars*\n\nbody",
            name: "The Octocat",
            login: "Codertocat",
          }),
        ],
      }),
    );
    const comment = (path: string) => (body: { body: string }) => (comments.push({ path, body: body.body }), true);
    scope
      .post(`${REPO}/issues/101/comments`, comment("#101"))
      .reply(201, { id: 9001, body: "", user: { login: "okstra[bot]" }, created_at: AT, updated_at: AT });
    scope
      .get(REPO)
      .reply(200, { id: 1, name: "Hello-World", full_name: "Codertocat/Hello-World", default_branch: "main" });
    scope
      .get(`${REPO}/contents/.github/okstra.yml`)
      .query({ ref: "main" })
      .reply(200, "verification:\n  maxRounds: 9\n");
    scope
      .post(`${REPO}/issues/1/comments`, comment("#1"))
      .reply(201, { id: 9002, body: "", user: { login: "okstra[bot]" }, created_at: AT, updated_at: AT });

    await deliver(synchronize());

    expect(order.slice(order.indexOf(GRAPHQL))).toEqual([
      GRAPHQL,
      `POST ${REPO}/issues/101/comments`,
      `GET ${REPO}`,
      `GET ${REPO}/contents/.github/okstra.yml?ref=main`,
      `POST ${REPO}/issues/1/comments`,
    ]);
    expect(appendedRows(graphql)).toEqual([
      {
        at: expect.any(String),
        run: "impl-1",
        status: "done",
        source: "user-edit",
        stage: 1,
        headCommit: NEW,
        branch: "okstra/1/s1",
        carryPath: "tasks/1/carry/stage-1.json",
      },
    ]);
    const [note, status] = comments;
    expect(note!.path).toBe("#101");
    expect(note!.body).toContain(
      `**okstra · stage 1: \`okstra/1/s1\` moved** from \`${OLD.slice(0, 12)}\` to \`${NEW.slice(0, 12)}\` (pushed by @Codertocat).`,
    );
    // Other people's words are shown, not obeyed: no one is pinged, no markup applies.
    expect(note!.body).toContain(
      `- \`${NEW.slice(0, 12)}\` fix(csv): quote @\u200bmentions and \\*stars\\* — Codertocat`,
    );
    expect(note!.body).toContain("The verdict **accepted** given at");
    expect(status!.path).toBe("#1");
    expect(status!.body).toContain(
      "okstra could not re-verify: `.github/okstra.yml` on the default branch is invalid: `verification.maxRounds`",
    );
  });

  it("ignores a push to a branch that is not a stage branch: no job, not a single request", async () => {
    await deliver(synchronize("feature/csv"));
  });
});
