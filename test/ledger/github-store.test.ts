import { describe, expect, it } from "@jest/globals";
import { LedgerContentionError } from "../../src/ledger/errors.js";
import { createGitHubLedgerStore, type GitHubWriteRecipe } from "../../src/ledger/github-store.js";
import { Ledger } from "../../src/ledger/ledger.js";
import { gitBlobSha } from "../../src/ledger/object-cache.js";
import type { RowInput } from "../../src/ledger/rows.js";
import { signLedgerFiles } from "../helpers/signed-ledger.js";
import { json, sha, T0, taskMeta } from "./fixtures.js";
import {
  API_REPO,
  blobBody,
  client,
  commitCreated,
  countRequests,
  decodedAddition,
  httpMock,
  mockCommitReads,
  recordBodies,
  recordGraphqlInputs,
  REF_PATH,
  refBody,
  REPO,
  staleHead,
  type GraphqlCommitInput,
} from "./github-fixture.js";

const ROWS = "tasks/7/ledger.jsonl";
const TASK = "tasks/7/task.json";
const SIGS = "tasks/7/signatures.json";

function row(run: string): RowInput {
  return { run, status: "failed", stage: 1, reason: "validation-failed", detail: `${run} failed` };
}
function line(run: string): string {
  return `${JSON.stringify({ at: T0.toISOString(), run, status: "failed", stage: 1, reason: "validation-failed", detail: `${run} failed` })}\n`;
}

function githubLedger(recipe: GitHubWriteRecipe = "graphql", slept: number[] = []): Ledger {
  return new Ledger(createGitHubLedgerStore(client(), REPO, { recipe }), {
    now: () => T0,
    sleep: async (ms) => void slept.push(ms),
    random: () => 0,
  });
}

const C1 = sha("commit-1");
const C2 = sha("commit-2");
const C3 = sha("commit-3");
const C4 = sha("commit-4");
// As okstra writes them: rows signed in order, task.json listed in signatures.json.
const filesAt = (...runs: string[]) => signLedgerFiles({ [TASK]: json(taskMeta(7)), [ROWS]: runs.map(line).join("") });
const rowsAt = (...runs: string[]) => filesAt(...runs)[ROWS];

describe("GitHub ledger store, createCommitOnBranch recipe", () => {
  it("re-reads and re-applies a mutation that lost the race, on top of the other writer's commit", async () => {
    const inputs: GraphqlCommitInput[] = [];
    const scope = httpMock();
    scope.get(REF_PATH).reply(200, refBody(C1));
    mockCommitReads(scope, C1, sha("tree-1"), filesAt("impl-1"), [ROWS, SIGS]);
    scope.post("/graphql", recordGraphqlInputs(inputs)).reply(200, staleHead(C1));
    // Another writer appended impl-2's row meanwhile: its commit C2 is the new head.
    scope.get(REF_PATH).reply(200, refBody(C2));
    mockCommitReads(scope, C2, sha("tree-2"), filesAt("impl-1", "impl-2"), [ROWS]); // signatures.json unchanged: served from the cache
    scope.post("/graphql", recordGraphqlInputs(inputs)).reply(200, commitCreated(C3, sha("tree-3")));

    const outcome = await githubLedger().appendRows(7, [row("impl-3")]);

    expect(outcome).toMatchObject({ commit: C3, wrote: true, attempts: 2 });
    expect(inputs.map((i) => i.expectedHeadOid)).toEqual([C1, C2]);
    expect(inputs[1]!.branch).toEqual({ repositoryNameWithOwner: "acme/widgets", branchName: "okstra/ledger" });
    expect(decodedAddition(inputs[0]!, ROWS)).toBe(rowsAt("impl-1", "impl-3"));
    expect(decodedAddition(inputs[1]!, ROWS)).toBe(rowsAt("impl-1", "impl-2", "impl-3"));
    expect(inputs[1]!.fileChanges.deletions).toEqual([]);
    expect(inputs[1]!.message.headline).toMatch(/^ledger\(#7\): failed s1 \(impl-3\)/);
  });

  it("gives up with LedgerContentionError after 8 lost races, writing nothing", async () => {
    const inputs: GraphqlCommitInput[] = [];
    const scope = httpMock();
    const heads = Array.from({ length: 8 }, (_, i) => sha(`race-${i}`));
    heads.forEach((head, i) => {
      scope.get(REF_PATH).reply(200, refBody(head));
      const runs = Array.from({ length: i + 1 }, (_, k) => `other-${k}`);
      mockCommitReads(scope, head, sha(`tree-${i}`), filesAt(...runs), i === 0 ? [ROWS, SIGS] : [ROWS]);
      scope.post("/graphql", recordGraphqlInputs(inputs)).reply(200, staleHead(head));
    });
    const slept: number[] = [];

    const attempt = githubLedger("graphql", slept).appendRows(7, [row("impl-9")]);

    await expect(attempt).rejects.toBeInstanceOf(LedgerContentionError);
    await expect(attempt).rejects.toThrow(
      /lost the race to other writers 8 times in a row; giving up .*Expected branch to point to/,
    );
    expect(inputs.map((i) => i.expectedHeadOid)).toEqual(heads);
    expect(slept).toHaveLength(7);
  });

  it("costs exactly two requests for a warm mutation with nothing raced: one ref read, one write", async () => {
    const ledger = githubLedger();
    const warmup = httpMock();
    warmup.get(REF_PATH).reply(200, refBody(C1));
    mockCommitReads(warmup, C1, sha("tree-1"), filesAt("impl-1"), [ROWS, SIGS]);
    warmup.post("/graphql").reply(200, commitCreated(C2, sha("tree-2")));
    await ledger.appendRows(7, [row("impl-2")]);

    const inputs: GraphqlCommitInput[] = [];
    const scope = httpMock();
    const counter = countRequests(scope);
    scope.get(REF_PATH).reply(200, refBody(C2));
    scope.post("/graphql", recordGraphqlInputs(inputs)).reply(200, commitCreated(C3, sha("tree-3")));

    const outcome = await ledger.appendRows(7, [row("impl-3")]);

    expect(outcome.commit).toBe(C3);
    expect(counter.count).toBe(2);
    // The cache seeded from our own write knew the file without reading it.
    expect(decodedAddition(inputs[0]!, ROWS)).toBe(rowsAt("impl-1", "impl-2", "impl-3"));
  });

  it("reads an unchanged ledger for one ref request", async () => {
    const ledger = githubLedger();
    const cold = httpMock();
    cold.get(REF_PATH).reply(200, refBody(C1));
    mockCommitReads(cold, C1, sha("tree-1"), filesAt("impl-1"), [TASK, ROWS, SIGS]);
    expect((await ledger.readTask(7))?.rows).toHaveLength(1);

    const scope = httpMock();
    const counter = countRequests(scope);
    scope.get(REF_PATH).reply(200, refBody(C1));
    expect((await ledger.readTask(7))?.state.stages[0]?.failed?.run).toBe("impl-1");
    expect(counter.count).toBe(1);
  });

  it("creates the orphan branch with the Git Data API; a second creator loses and re-applies on top", async () => {
    const scope = httpMock();
    const treeBodies: unknown[] = [];
    const commitBodies: unknown[] = [];
    const refBodies: unknown[] = [];
    scope.get(REF_PATH).reply(404, {
      message: "Not Found",
      documentation_url: "https://docs.github.com/rest/git/refs#get-a-reference",
      status: "404",
    });
    scope
      .post(`${API_REPO}/git/trees`, recordBodies(treeBodies))
      .reply(201, { sha: sha("tree-a"), url: "https://api.github.com/x", tree: [], truncated: false });
    scope
      .post(`${API_REPO}/git/commits`, recordBodies(commitBodies))
      .reply(201, { sha: C1, tree: { sha: sha("tree-a") }, parents: [] });
    scope.post(`${API_REPO}/git/refs`, recordBodies(refBodies)).reply(422, {
      message: "Reference already exists",
      documentation_url: "https://docs.github.com/rest/git/refs#create-a-reference",
      status: "422",
    });
    // The other creator's branch: its task.json, written first.
    scope.get(REF_PATH).reply(200, refBody(C2));
    mockCommitReads(scope, C2, sha("tree-b"), signLedgerFiles({ [TASK]: json(taskMeta(7, { title: "theirs" })) }), [
      SIGS,
    ]);
    const inputs: GraphqlCommitInput[] = [];
    scope.post("/graphql", recordGraphqlInputs(inputs)).reply(200, commitCreated(C3, sha("tree-c")));

    const outcome = await githubLedger().writeFiles(7, { "runs/plan-1/report.md": "# Plan report\n" });

    expect(outcome).toMatchObject({ commit: C3, attempts: 2 });
    const signatures = signLedgerFiles({ "tasks/7/runs/plan-1/report.md": "# Plan report\n" })[SIGS];
    expect(treeBodies).toEqual([
      {
        tree: [
          { path: "tasks/7/runs/plan-1/report.md", mode: "100644", type: "blob", content: "# Plan report\n" },
          { path: SIGS, mode: "100644", type: "blob", content: signatures },
        ],
      },
    ]);
    expect(commitBodies).toEqual([
      { message: expect.stringContaining("ledger(#7)"), tree: sha("tree-a"), parents: [] },
    ]);
    expect(refBodies).toEqual([{ ref: "refs/heads/okstra/ledger", sha: C1 }]);
    expect(inputs[0]!.expectedHeadOid).toBe(C2);
  });
});

describe("GitHub ledger store, large ledgers", () => {
  it("walks the tree level by level when the recursive listing comes back truncated", async () => {
    const files = filesAt("impl-1");
    const scope = httpMock();
    scope.get(REF_PATH).reply(200, refBody(C1));
    scope
      .get(`${API_REPO}/git/trees/${C1}`)
      .query({ recursive: "1" })
      .reply(200, { sha: sha("root"), url: "u", tree: [], truncated: true });
    const dir = (path: string, treeSha: string) => ({ path, mode: "040000", type: "tree", sha: treeSha, url: "u" });
    const file = (path: string, text: string) => ({
      path,
      mode: "100644",
      type: "blob",
      sha: gitBlobSha(text),
      size: text.length,
      url: "u",
    });
    scope
      .get(`${API_REPO}/git/trees/${sha("root")}`)
      .reply(200, { sha: sha("root"), url: "u", tree: [dir("tasks", sha("tasks"))], truncated: false });
    scope
      .get(`${API_REPO}/git/trees/${sha("tasks")}`)
      .reply(200, { sha: sha("tasks"), url: "u", tree: [dir("7", sha("task-7"))], truncated: false });
    scope.get(`${API_REPO}/git/trees/${sha("task-7")}`).reply(200, {
      sha: sha("task-7"),
      url: "u",
      tree: [
        file("ledger.jsonl", files[ROWS]!),
        file("signatures.json", files[SIGS]!),
        file("task.json", files[TASK]!),
      ],
      truncated: false,
    });
    scope.get(`${API_REPO}/git/blobs/${gitBlobSha(files[TASK]!)}`).reply(200, blobBody(files[TASK]!));
    scope.get(`${API_REPO}/git/blobs/${gitBlobSha(files[SIGS]!)}`).reply(200, blobBody(files[SIGS]!));
    scope.get(`${API_REPO}/git/blobs/${gitBlobSha(files[ROWS]!)}`).reply(200, blobBody(files[ROWS]!));

    const task = await githubLedger().readTask(7);

    expect(task?.rows.map((r) => r.run)).toEqual(["impl-1"]);
  });
});

describe("GitHub ledger store, errors that are not a lost race", () => {
  it("surfaces a GraphQL error other than a stale head at once, without retrying", async () => {
    const scope = httpMock();
    scope.get(REF_PATH).reply(200, refBody(C1));
    mockCommitReads(scope, C1, sha("tree-1"), filesAt("impl-1"), [ROWS, SIGS]);
    scope.post("/graphql").reply(200, {
      data: { createCommitOnBranch: null },
      errors: [
        { type: "FORBIDDEN", path: ["createCommitOnBranch"], message: "Resource not accessible by integration" },
      ],
    });

    await expect(githubLedger().appendRows(7, [row("impl-2")])).rejects.toThrow(
      /Resource not accessible by integration/,
    );
  });
});

describe("GitHub ledger store, Git Data recipe (tree + commit + PATCH ref)", () => {
  it("treats 422 'Update is not a fast forward' as a lost race and rebuilds on the new head", async () => {
    const scope = httpMock();
    const trees: Array<Record<string, unknown>> = [];
    const commits: Array<Record<string, unknown>> = [];
    const patches: Array<Record<string, unknown>> = [];
    const record = recordBodies;
    scope.get(REF_PATH).reply(200, refBody(C1));
    mockCommitReads(scope, C1, sha("tree-1"), filesAt("impl-1"), [ROWS, SIGS]);
    scope
      .post(`${API_REPO}/git/trees`, record(trees))
      .reply(201, { sha: sha("tree-x"), url: "u", tree: [], truncated: false });
    scope
      .post(`${API_REPO}/git/commits`, record(commits))
      .reply(201, { sha: sha("lost"), tree: { sha: sha("tree-x") }, parents: [{ sha: C1 }] });
    scope.patch(`${API_REPO}/git/refs/heads/okstra/ledger`, record(patches)).reply(422, {
      message: "Update is not a fast forward",
      documentation_url: "https://docs.github.com/rest/git/refs#update-a-reference",
      status: "422",
    });
    scope.get(REF_PATH).reply(200, refBody(C2));
    mockCommitReads(scope, C2, sha("tree-2"), filesAt("impl-1", "impl-2"), [ROWS]);
    scope
      .post(`${API_REPO}/git/trees`, record(trees))
      .reply(201, { sha: sha("tree-y"), url: "u", tree: [], truncated: false });
    scope
      .post(`${API_REPO}/git/commits`, record(commits))
      .reply(201, { sha: C4, tree: { sha: sha("tree-y") }, parents: [{ sha: C2 }] });
    scope.patch(`${API_REPO}/git/refs/heads/okstra/ledger`, record(patches)).reply(200, refBody(C4));

    const outcome = await githubLedger("rest").appendRows(7, [row("impl-3")]);

    expect(outcome).toMatchObject({ commit: C4, attempts: 2 });
    expect(trees[1]).toEqual({
      base_tree: sha("tree-2"),
      tree: [{ path: ROWS, mode: "100644", type: "blob", content: rowsAt("impl-1", "impl-2", "impl-3") }],
    });
    expect(commits.map((c) => c.parents)).toEqual([[C1], [C2]]);
    expect(patches).toEqual([
      { sha: sha("lost"), force: false },
      { sha: C4, force: false },
    ]);
  });
});

describe("fileUrl", () => {
  it("points at the file on the ledger branch on github.com or a GitHub Enterprise host", () => {
    expect(createGitHubLedgerStore(client(), REPO).fileUrl("tasks/7/runs/impl-1/report.md")).toBe(
      "https://github.com/acme/widgets/blob/okstra/ledger/tasks/7/runs/impl-1/report.md",
    );
    expect(
      createGitHubLedgerStore(client(), REPO, { webBase: "https://ghe.example.com/" }).fileUrl("tasks/7/plan.md"),
    ).toBe("https://ghe.example.com/acme/widgets/blob/okstra/ledger/tasks/7/plan.md");
  });
});
