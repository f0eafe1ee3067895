import { afterEach, describe, expect, it } from "@jest/globals";
import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { git } from "../../src/util/git.js";
import { createLocalRepo, planningWorker, RECORDINGS, type LocalRepo } from "../helpers/local-repo.js";

const EXECUTOR = path.join(RECORDINGS, "executor-worker.mjs");
const STAGES = path.join(RECORDINGS, "inventory-csv", "stages");

let repo: LocalRepo;
afterEach(async () => {
  await repo?.dispose();
});

function executor(flags = "") {
  return `{ provider: command, command: "${process.execPath} ${EXECUTOR} --stages ${STAGES} ${flags}" }`;
}

/**
 * A sample repo whose recorded 4-stage plan is planned and approved, with the
 * executor configured. The pilot is off unless a test configures it, so a
 * failing stage is attempted exactly once.
 */
async function approvedRepo(executorFlags = "", extraConfig = "") {
  if (!extraConfig.includes("pilot")) extraConfig = `${extraConfig}\npilot: false`;
  repo = await createLocalRepo();
  await repo.commitFile(
    ".github/okstra.yml",
    [
      "workers:",
      `  lead: ${planningWorker("--lead good")}`,
      `  analysers: [ ${planningWorker("--draft full --review agree")}, ${planningWorker("--draft full --review agree")} ]`,
      `  executor: ${executor(executorFlags)}`,
      extraConfig,
    ].join("\n"),
  );
  expect((await repo.run("/okstra plan")).code).toBe(0);
  expect((await repo.run("/okstra approve")).code).toBe(0);
}

async function rows() {
  return (await repo.ledgerFile("tasks/1/ledger.jsonl"))
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line));
}

async function pulls(): Promise<
  Array<{ number: number; head: string; base: string; draft: boolean; title: string; body: string }>
> {
  const dir = path.join(repo.dir, ".okstra-local", "pulls");
  const files = await readdir(dir).catch(() => []);
  const all = await Promise.all(
    files.filter((f) => f.endsWith(".json")).map(async (f) => JSON.parse(await readFile(path.join(dir, f), "utf8"))),
  );
  return all.sort((a, b) => a.number - b.number);
}

const head = async (ref: string) => (await git(["rev-parse", ref], { cwd: repo.dir })).stdout.trim();
const parents = async (ref: string) =>
  (await git(["log", "-1", "--format=%P", ref], { cwd: repo.dir })).stdout.trim().split(" ");

describe("/okstra implement (local platform, recorded executor)", () => {
  it("implements a 4-stage plan in as many runs as the step budget dictates, with chained branches, carries, rows and stage PRs", async () => {
    await approvedRepo();
    const task = JSON.parse(await repo.ledgerFile("tasks/1/task.json"));

    // Run 1: stages 1 and 2 are ready (independent), 3 waits on both.
    const first = await repo.run("/okstra implement");
    expect(first.code).toBe(0);
    expect(JSON.parse(await repo.ledgerFile("tasks/1/runs/impl-1/run.json"))).toMatchObject({
      batch: [1, 2],
      status: "succeeded",
    });
    // Run 2: stage 3, based on a merge of the heads of 1 and 2. Run 3: stage 4 on top of 3.
    expect((await repo.run("/okstra implement")).code).toBe(0);
    expect((await repo.run("/okstra implement")).code).toBe(0);
    const nothingLeft = await repo.run("/okstra implement");
    expect(nothingLeft.code).toBe(1);
    expect((await repo.comments()).at(-1)!.body).toContain("every stage of the plan is done");

    const [s1, s2, s3, s4] = await Promise.all([1, 2, 3, 4].map((s) => head(`okstra/1/s${s}`)));
    const done = (await rows()).filter((r) => r.status === "done");
    expect(done.map((r) => [r.stage, r.headCommit, r.branch])).toEqual([
      [1, s1, "okstra/1/s1"],
      [2, s2, "okstra/1/s2"],
      [3, s3, "okstra/1/s3"],
      [4, s4, "okstra/1/s4"],
    ]);

    // Bases: 1 and 2 from the approved base, 3 from a merge of 1 and 2, 4 from 3.
    const carry = async (s: number) => JSON.parse(await repo.ledgerFile(`tasks/1/carry/stage-${s}.json`));
    expect((await carry(1)).stageCommitRange.base).toBe(task.implementationBaseCommit);
    expect((await carry(2)).stageCommitRange.base).toBe(task.implementationBaseCommit);
    const mergeBase = (await carry(3)).stageCommitRange.base;
    expect(await parents(mergeBase)).toEqual([s1, s2]);
    expect((await git(["log", "-1", "--format=%s", mergeBase], { cwd: repo.dir })).stdout.trim()).toBe(
      "merge: stage 2",
    );
    expect((await carry(4)).stageCommitRange.base).toBe(s3);
    const c1 = await carry(1);
    expect(c1).toMatchObject({ status: "complete", branch: "okstra/1/s1", outOfPlanEdits: [], placeholders: [] });
    expect(c1.commits.map((c: { subject: string }) => c.subject)).toEqual([
      "test(csv): escaping of fields and rows",
      "feat(csv): RFC 4180 field and row encoding",
    ]);
    expect(c1.validation).toEqual([expect.objectContaining({ phase: "post", command: "npm test", exitCode: 0 })]);
    expect(c1.validation[0].outputTail).toMatch(/# pass 7\n# fail 0/);

    // Every pushed commit carries the trailers.
    const messages = (
      await git(["log", "--format=%B%x00", `${task.implementationBaseCommit}..okstra/1/s4`, "--no-merges"], {
        cwd: repo.dir,
      })
    ).stdout
      .split("\0")
      .filter((m) => m.trim());
    expect(messages.length).toBe(9);
    for (const message of messages) expect(message).toMatch(/Okstra-Task: #1\nOkstra-Stage: \d/);

    // Stage PRs: drafts, bases that hold only each stage's own commits (SPEC §15.4), navigation blocks over the DAG.
    const prs = await pulls();
    expect(prs.map((p) => [p.head, p.base, p.draft])).toEqual([
      ["okstra/1/s1", "main", true],
      ["okstra/1/s2", "main", true],
      ["okstra/1/s3", "okstra/1/s3-base", true],
      ["okstra/1/s4", "okstra/1/s3", true],
    ]);
    expect(prs[0].title).toBe("Stage 1: CSV field escaping (#1)");
    const [n1, n2, n3, n4] = prs.map((p) => p.number);
    expect(prs[2].body).toContain(
      `**Stage 3 of 4** · depends on: stage 1 (#${n1}), stage 2 (#${n2}) · needed by: stage 4 (#${n4})`,
    );
    expect(prs[0].body).toContain(`needed by: stage 3 (#${n3})`);
    expect(prs[0].body).not.toContain(`(#${n2})`); // stage 2 is independent of stage 1: not linked
    expect(prs[0].body).toContain("| ➡️ | **1 · CSV field escaping** | — | **this PR** | 📝 draft |");
    expect(prs[3].body).toContain(`depends on: stage 3 (#${n3}) · needed by: nothing`);
    for (const stage of [1, 2, 3, 4]) {
      const pr = prs[stage - 1];
      const own = (await git(["rev-list", "--no-merges", `${pr.base}..${pr.head}`], { cwd: repo.dir })).stdout
        .split("\n")
        .filter(Boolean);
      const commits = (await git(["rev-list", `${pr.base}..${pr.head}`], { cwd: repo.dir })).stdout
        .split("\n")
        .filter(Boolean);
      expect(commits).toEqual(own); // no dependency's commit, no merge: the stage's own work only
    }
    const prRows = (await rows()).filter((r) => r.status === "pr");
    expect(prRows.map((r) => [r.stages, r.number, r.kind])).toEqual([
      [[1], n1, "stage"],
      [[2], n2, "stage"],
      [[3], n3, "stage"],
      [[4], n4, "stage"],
    ]);
  });

  it.each([
    ["no-commit", "contract-violated", "the executor made no commit"],
    ["bad-message", "non-conventional-commit", '"updated some files"'],
    ["okstra-file", "okstra-path-committed", ".okstra/state.json"],
    ["todo", "placeholder", "TODO: handle more cases"],
    ["break-tests", "validation-failed", "post `npm test` exited 1"],
  ])(
    "an executor that misbehaves (%s) fails stage 1 with %s, and independent stage 2 is still done",
    async (mode, reason, detail) => {
      await approvedRepo(`--mode ${mode} --only-stage 1`);
      expect((await repo.run("/okstra implement")).code).toBe(1);
      const all = await rows();
      const failed = all.find((r) => r.status === "failed" && r.stage === 1);
      expect(failed).toMatchObject({ reason });
      expect(failed.detail).toContain(detail);
      expect(all.find((r) => r.status === "done" && r.stage === 2)).toBeDefined();
      expect(await repo.ledgerFiles()).not.toContain("tasks/1/carry/stage-1.json");
      // The red commits are kept on the stage branch for a person and for `/okstra retry`, unless no later commit could repair them.
      const kept = !["no-commit", "okstra-file", "bad-message"].includes(mode);
      expect(
        (await git(["rev-parse", "--verify", "-q", "okstra/1/s1"], { cwd: repo.dir, allowFailure: true })).exitCode ===
          0,
      ).toBe(kept);
      if (kept) expect(failed.detail).toContain("kept on `okstra/1/s1`");
      expect((await repo.comments()).at(-1)!.body).toContain(`✗ Stage 1 · CSV field escaping — ${reason}`);
    },
  );

  it("reports an edit outside the exit contract without failing the stage", async () => {
    await approvedRepo("--mode out-of-plan --only-stage 1");
    expect((await repo.run("/okstra implement")).code).toBe(0);
    const carry = JSON.parse(await repo.ledgerFile("tasks/1/carry/stage-1.json"));
    expect(carry.outOfPlanEdits).toEqual([
      { path: "docs/notes.md", reason: expect.stringContaining("not in the stage's exit contract") },
    ]);
    const pr = (await pulls()).find((p) => p.head === "okstra/1/s1")!;
    expect(pr.body).toContain("docs/notes.md");
  });

  it("kills a validation command that hangs past its timeout and fails the stage", async () => {
    await approvedRepo("", "qaCommands: { hang: 'sleep 30' }\ntimeouts: { stageSeconds: 2 }");
    expect((await repo.run("/okstra implement --stage 1")).code).toBe(1);
    const failed = (await rows()).find((r) => r.status === "failed" && r.stage === 1);
    expect(failed).toMatchObject({ reason: "validation-timeout" });
    expect(failed.detail).toContain("qa `sleep 30` timed out");
    const ps =
      (await git(["--version"], { cwd: repo.dir })) &&
      (await import("node:child_process")).execSync("ps -eo args").toString();
    expect(ps).not.toMatch(/^sleep 30$/m);
  });

  it("refuses --stage for a stage that is waiting, and for a done stage, naming why", async () => {
    await approvedRepo();
    expect((await repo.run("/okstra implement --stage 3")).code).toBe(1);
    expect((await repo.comments()).at(-1)!.body).toContain("stage 3 is waiting on stages 1, 2, not done yet");
    expect((await repo.run("/okstra implement --stage 1")).code).toBe(0);
    expect((await repo.run("/okstra implement --stage 1")).code).toBe(1);
    expect((await repo.comments()).at(-1)!.body).toContain("stage 1 is already done (run impl-");
  });

  it("refuses to implement a plan that is not approved", async () => {
    repo = await createLocalRepo();
    await repo.commitFile(
      ".github/okstra.yml",
      `workers:\n  lead: ${planningWorker("--lead good")}\n  analysers: [ ${planningWorker("--draft full --review agree")} ]\n`,
    );
    expect((await repo.run("/okstra plan")).code).toBe(0);
    expect((await repo.run("/okstra implement")).code).toBe(1);
    expect((await repo.comments()).at(-1)!.body).toContain("is not approved");
  });
});

describe("secrets never reach the executor", () => {
  it("keeps the App key, tokens and the remote's auth header out of the executor's environment and the clone's config", async () => {
    const dump = path.join((await import("node:os")).tmpdir(), `okstra-dump-${process.pid}-${Date.now()}.json`);
    const secrets = {
      PRIVATE_KEY: "-----BEGIN RSA PRIVATE KEY-----\nokstra-test-app-key\n-----END RSA PRIVATE KEY-----",
      GITHUB_TOKEN: "ghs_okstratesttoken000000000000000000",
      WEBHOOK_SECRET: "okstra-test-webhook-secret",
      OPENAI_API_KEY: "sk-okstra-test-openai-key",
    };
    // The executor dumps what it sees outside its clone, which the sandbox forbids: this checks the
    // environment allow-list on its own, unconfined (the sandboxed view is test/security/).
    const saved = Object.fromEntries([...Object.keys(secrets), "OKSTRA_SANDBOX"].map((k) => [k, process.env[k]]));
    Object.assign(process.env, secrets, { OKSTRA_SANDBOX: "off" });
    try {
      await approvedRepo(`--dump ${dump}`);
      expect((await repo.run("/okstra implement --stage 1")).code).toBe(0);
      const seen = JSON.parse(await readFile(dump, "utf8"));
      const text = JSON.stringify(seen);
      for (const secret of Object.values(secrets)) expect(text).not.toContain(secret);
      expect(seen.env.OKSTRA_ROLE).toBe("executor");
      expect(seen.env.OKSTRA_STAGE).toBe("1");
      expect(seen.gitConfig).not.toMatch(/extraheader|authorization|ghs_/i);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      await (await import("node:fs/promises")).rm(dump, { force: true });
    }
  });
});

describe("the pilot at the batch boundary", () => {
  const PILOT = path.join(RECORDINGS, "pilot-worker.mjs");
  const pilot = (decision: string) =>
    `  pilot: { provider: command, command: "${process.execPath} ${PILOT} --decision ${decision}" }`;
  const workerFiles = async () =>
    (await repo.ledgerFiles()).filter((f) => f.startsWith("tasks/1/runs/impl-1/workers/"));

  it("costs nothing when no stage failed", async () => {
    await approvedRepo("", pilot("retry"));
    expect((await repo.run("/okstra implement")).code).toBe(0);
    expect(await workerFiles()).toEqual([
      "tasks/1/runs/impl-1/workers/executor-s1.json",
      "tasks/1/runs/impl-1/workers/executor-s2.json",
    ]);
  });

  it("retries the stage the pilot names, with its guidance, and the retry succeeds", async () => {
    await approvedRepo("--mode bad-message --only-stage 1 --until-retry yes", pilot("retry"));
    expect((await repo.run("/okstra implement")).code).toBe(0);
    expect(await workerFiles()).toEqual(
      expect.arrayContaining([
        "tasks/1/runs/impl-1/workers/pilot.json",
        "tasks/1/runs/impl-1/workers/executor-s1-retry-1.json",
      ]),
    );
    const stage1 = (await rows()).filter((r) => r.stage === 1 || r.stages?.includes(1)).map((r) => r.status);
    expect(stage1).toEqual(["started", "failed", "started", "done", "pr"]);
    expect((await repo.comments()).at(-1)!.body).toContain("**Pilot** (the pilot worker)");
  });

  it.each(["unknown-stage", "contradiction"])(
    "rejects a %s decision and falls back to one retry with the failure log",
    async (decision) => {
      await approvedRepo("--mode bad-message --only-stage 1 --until-retry yes", pilot(decision));
      expect((await repo.run("/okstra implement")).code).toBe(0);
      const status = (await repo.comments()).at(-1)!.body;
      expect(status).toContain("**Pilot** (okstra's fallback)");
      expect(status).toContain("The pilot's answer was not used");
      expect((await rows()).filter((r) => r.stage === 1 && r.status === "done")).toHaveLength(1);
    },
  );

  it("skips as the pilot says, and says it recommends a replan", async () => {
    await approvedRepo("--mode bad-message --only-stage 1", pilot("skip"));
    expect((await repo.run("/okstra implement")).code).toBe(1);
    expect((await rows()).filter((r) => r.stage === 1 && r.status === "failed")).toHaveLength(1);
    expect((await repo.comments()).at(-1)!.body).toContain("The pilot recommends `/okstra replan`.");
  });

  it("pilot: false disables it: one attempt, no pilot call", async () => {
    await approvedRepo("--mode bad-message --only-stage 1 --until-retry yes", "pilot: false");
    expect((await repo.run("/okstra implement")).code).toBe(1);
    expect(await workerFiles()).not.toContain("tasks/1/runs/impl-1/workers/pilot.json");
    expect((await rows()).filter((r) => r.stage === 1 && r.status === "failed")).toHaveLength(1);
  });
});
