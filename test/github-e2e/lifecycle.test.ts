import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { git } from "../../src/util/git.js";
import { createE2eWorld, INSTALLATION_TOKEN, OWNER, type E2eWorld, type Phase } from "./e2e-harness.js";
import { requestTable } from "./request-table.js";
import { findSecrets, tokenForms } from "./secret-scan.js";

/**
 * The App end to end against a fake GitHub: a real Probot receives
 * `issue_comment.created` deliveries; okstra clones from and pushes to a
 * real git smart-HTTP server (its `serverUrl`) and talks to the nock-backed
 * API. One lifecycle — plan, approve, and three implementation runs for the
 * four stages — is run once (about 20 s); each test checks one outcome of it.
 */

let world: E2eWorld;
const phases: Record<"plan" | "approve" | "implement1" | "implement2" | "implement3", Phase> = {} as never;

beforeAll(async () => {
  world = await createE2eWorld();
  phases.plan = await world.comment("/okstra plan");
  phases.approve = await world.comment("/okstra approve");
  phases.implement1 = await world.comment("/okstra implement");
  phases.implement2 = await world.comment("/okstra implement");
  phases.implement3 = await world.comment("/okstra implement");
  // The fake's persisted interceptors must be gone before test/setup.ts checks for unused mocks after each test.
  world.github.uninstall();
  if (process.env.OKSTRA_E2E_REQUESTS) await writeFile(process.env.OKSTRA_E2E_REQUESTS, requestTable(phases));
}, 120_000);

afterAll(async () => {
  await world?.dispose();
});

const ledgerFile = async (file: string) => (await world.bare.fileAt("okstra/ledger", `tasks/1/${file}`)) ?? "";
const rows = async () =>
  (await ledgerFile("ledger.jsonl"))
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, any>);
const okstraComments = () => world.github.comments.filter((c) => c.user.type === "Bot");
const statusCommentOf = (phase: Phase) =>
  okstraComments().find(
    (c) => c.history[0].includes(`"trigger":${phase.commentId}`) && c.body.includes("okstra:run-status"),
  );

describe("/okstra plan", () => {
  it("posts the plan comment with the stage DAG in Mermaid and the next command", () => {
    const plan = okstraComments().find((c) => c.body.startsWith("<!-- okstra:plan "));
    expect(plan).toBeDefined();
    expect(plan!.body).toContain("```mermaid\ngraph TD");
    expect(plan!.body).toContain("  S1 --> S3\n  S2 --> S3\n  S3 --> S4");
    expect(plan!.body).toContain("/okstra approve");
    // Posted once, never edited: a new plan version gets a new comment.
    expect(plan!.history).toHaveLength(1);
  });

  it("creates one run status comment and edits it in place up to the ✅ state", () => {
    const status = statusCommentOf(phases.plan)!;
    expect(status).toBeDefined();
    const created = phases.plan.api.filter(
      (r) =>
        r.route === "POST /repos/{owner}/{repo}/issues/{issue_number}/comments" &&
        String((r.body as { body: string }).body).includes("okstra:run-status"),
    );
    expect(created).toHaveLength(1);
    const edits = phases.plan.api.filter((r) => r.route === "PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}");
    expect(edits.length).toBeGreaterThanOrEqual(1);
    // Every edit of the run went to that one comment, and the last one is the final state.
    expect(new Set(edits.map((r) => r.path))).toEqual(
      new Set([`/repos/${OWNER}/Hello-World/issues/comments/${status.id}`]),
    );
    expect(status.history.length).toBe(edits.length + 1);
    expect(status.history.at(-1)).toContain("### okstra · `/okstra plan` · ✅ done · run `plan-1`");
    expect(status.history.at(-1)).toContain("Next: `/okstra approve`");
    expect(status.history[0]).not.toContain("✅ done");
  });

  it("links plan.json and the report on the server okstra runs against (GitHub Enterprise), not github.com", () => {
    const final = statusCommentOf(phases.plan)!.history.at(-1)!;
    const ledgerBlob = `${world.server.url}/${OWNER}/Hello-World/blob/okstra/ledger/tasks/1`;
    expect(final).toContain(`(${ledgerBlob}/plan.json)`);
    expect(final).toContain(`(${ledgerBlob}/runs/plan-1/report.md)`);
    expect(final).not.toContain("https://github.com/Codertocat/Hello-World/blob/");
  });

  it("commits the plan to the ledger with createCommitOnBranch, each write expecting the head the previous one made", async () => {
    const [orphan] = phases.plan.api.filter((r) => r.route === "POST /repos/{owner}/{repo}/git/refs");
    expect(orphan).toBeDefined(); // the first write creates the orphan branch (createCommitOnBranch needs one)
    const writes = world.github.commitsOnBranch;
    expect(writes.length).toBeGreaterThanOrEqual(2);
    expect(writes.every((w) => w.oid !== null)).toBe(true);
    expect(writes[0].input.expectedHeadOid).toBe((orphan.body as { sha: string }).sha);
    for (let i = 1; i < writes.length; i++) expect(writes[i].input.expectedHeadOid).toBe(writes[i - 1].oid);
    expect(await world.bare.head("okstra/ledger")).toBe(writes.at(-1)!.oid);

    const planWrite = writes.find((w) => w.input.fileChanges?.additions?.some((a) => a.path === "tasks/1/plan.json"));
    expect(planWrite).toBeDefined();
    expect(planWrite!.input.branch).toEqual({
      repositoryNameWithOwner: `${OWNER}/Hello-World`,
      branchName: "okstra/ledger",
    });
    const planJson = planWrite!.input.fileChanges!.additions!.find((a) => a.path === "tasks/1/plan.json")!;
    const plan = JSON.parse(Buffer.from(planJson.contents, "base64").toString("utf8"));
    expect(plan.stages.map((s: { number: number; dependsOn: number[] }) => [s.number, s.dependsOn])).toEqual([
      [1, []],
      [2, []],
      [3, [1, 2]],
      [4, [3]],
    ]);
    expect(JSON.parse(await ledgerFile("plan.json"))).toEqual(plan);
  });
});

describe("/okstra approve, then /okstra implement three times", () => {
  it("pushes every stage branch to the git server with the installation token, and the server refused nothing", async () => {
    const implementations = [phases.implement1, phases.implement2, phases.implement3];
    const pushes = implementations
      .flatMap((p) => p.git)
      .filter((r) => r.method === "POST" && r.service === "git-receive-pack");
    expect(pushes).toHaveLength(4); // one push per stage branch
    expect(world.server.requests.length).toBeGreaterThan(pushes.length);
    expect(world.server.requests.filter((r) => !r.authorized || r.status !== 200)).toEqual([]);

    const branches = await world.bare.branches();
    expect(branches).toEqual(expect.arrayContaining(["okstra/1/s1", "okstra/1/s2", "okstra/1/s3", "okstra/1/s4"]));
    const done = (await rows()).filter((r) => r.status === "done");
    for (const row of done) expect(await world.bare.head(row.branch)).toBe(row.headCommit);
    expect(done.map((r) => r.stage)).toEqual([1, 2, 3, 4]);
  });

  it("keeps the first implementation run to the ready stages 1 and 2, then 3, then 4", () => {
    const pushed = (phase: Phase) =>
      phase.api
        .filter((r) => r.route === "POST /repos/{owner}/{repo}/pulls")
        .map((r) => (r.body as { head: string }).head);
    expect(pushed(phases.implement1)).toEqual(["okstra/1/s1", "okstra/1/s2"]);
    expect(pushed(phases.implement2)).toEqual(["okstra/1/s3"]);
    expect(pushed(phases.implement3)).toEqual(["okstra/1/s4"]);
  });

  it("opens each stage PR as a draft from its stage branch, based so that it shows only its own commits", async () => {
    const created = world.github.requests
      .filter((r) => r.route === "POST /repos/{owner}/{repo}/pulls")
      .map((r) => r.body as { head: string; base: string; draft: boolean; title: string });
    expect(created.map((b) => [b.head, b.base, b.draft])).toEqual([
      ["okstra/1/s1", "main", true],
      ["okstra/1/s2", "main", true],
      ["okstra/1/s3", "okstra/1/s3-base", true], // two dependencies: the merge of both it started from (§15.4)
      ["okstra/1/s4", "okstra/1/s3", true], // one unmerged dependency: its branch
    ]);
    expect(created[0].title).toBe("Stage 1: CSV field escaping (#1)");
    expect(world.github.pulls.map((p) => [p.number, p.head, p.draft, p.state])).toEqual([
      [2, "okstra/1/s1", true, "open"],
      [3, "okstra/1/s2", true, "open"],
      [4, "okstra/1/s3", true, "open"],
      [5, "okstra/1/s4", true, "open"],
    ]);
    expect(world.github.pulls[2].body).toContain(
      "**Stage 3 of 4** · depends on: stage 1 (#2), stage 2 (#3) · needed by: stage 4 (#5)",
    );
    // Stage 4 on stage 3 is a linear chain: one native stack, bottom first (§15.5); nothing else asked for one.
    expect(world.github.stacks.map((stack) => stack.pulls)).toEqual([[4, 5]]);
    expect(phases.implement1.api.filter((r) => r.route.includes("/stacks"))).toEqual([]);
    // Each PR's base..head is its stage's own commits: no dependency's commit, no merge.
    for (const pr of world.github.pulls) {
      const list = async (extra: string[]) =>
        (await git(["rev-list", ...extra, `refs/heads/${pr.base}..refs/heads/${pr.head}`], { cwd: world.bare.dir }))
          .stdout;
      expect(await list([])).toBe(await list(["--no-merges"]));
      expect((await list([])).trim()).not.toBe("");
    }
  });

  it("ends each implementation run's status comment in the ✅ state, linking its PRs", () => {
    for (const [phase, prs] of [
      [phases.implement1, ["#2", "#3"]],
      [phases.implement2, ["#4"]],
      [phases.implement3, ["#5"]],
    ] as const) {
      const status = statusCommentOf(phase)!;
      expect(status.body).toMatch(/### okstra · `\/okstra implement` · ✅ done · run `impl-\d`/);
      for (const pr of prs) expect(status.body).toContain(`PR [${pr}](`);
    }
  });

  it("sends every API request with the installation token", () => {
    expect(
      world.github.requests.filter(
        (r) => r.route !== "POST /app/installations/{installation_id}/access_tokens" && !r.authorized,
      ),
    ).toEqual([]);
  });
});

describe("credentials on disk", () => {
  it("leaves the installation token, raw or base64, nowhere in the mirror cache, the run directories or their git objects", async () => {
    // The snapshot executor copied each run directory while it was alive; the mirror cache and TMPDIR are okstra's own.
    const snapshots = await readdir(world.snapshotsDir);
    expect(snapshots.sort()).toEqual(["impl-1-stage-1", "impl-1-stage-2", "impl-2-stage-3", "impl-3-stage-4"]);
    const needles = tokenForms(INSTALLATION_TOKEN);
    for (const root of [world.okstraDir, world.snapshotsDir]) {
      const scan = await findSecrets(root, needles);
      expect(scan.findings).toEqual([]);
      expect(scan.filesSearched).toBeGreaterThan(10);
      expect(scan.repositoriesSearched).toBeGreaterThan(0);
    }
    // Not vacuous: the snapshots hold the clone, whose origin is the server's URL without any credential.
    const config = await readFile(path.join(world.snapshotsDir, "impl-1-stage-1", "repo", ".git", "config"), "utf8");
    expect(config).toContain(`url = ${world.server.url}/${OWNER}/Hello-World.git`);
    // Nor did a token reach GitHub's side inside a commit or a ledger file.
    expect((await findSecrets(world.bare.dir, needles)).findings).toEqual([]);
  });
});
