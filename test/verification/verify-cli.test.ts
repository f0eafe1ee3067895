import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import path from "node:path";
import type { LocalRepo } from "../helpers/local-repo.js";
import {
  approvedRepo,
  branchHead,
  checkRuns,
  ledgerJson,
  ledgerRows,
  okstraConfig,
  pulls,
  verifier,
  verifierLog,
  workerFiles,
} from "./verification-repo.js";

let repo: LocalRepo | undefined;
afterEach(async () => {
  await repo?.dispose();
  repo = undefined;
});

describe("verification after an implementation run (autoVerify, local platform, recorded workers)", () => {
  it("accepts stage 1 and blocks stage 2: verified rows at the judged heads, check runs, PR draft states and nav blocks", async () => {
    repo = await approvedRepo({
      verifiers: [
        verifier("--findings F-1,F-2 --review agree"),
        verifier("--findings none --review agree"),
        verifier("--findings none --review agree;F-2=bare"),
      ],
    });
    const implement = await repo.run("/okstra implement");
    expect(implement.code).toBe(0);
    const [s1, s2] = [await branchHead(repo, 1), await branchHead(repo, 2)];

    const verified = (await ledgerRows(repo)).filter((r) => r.status === "verified");
    expect(verified.map((r) => [r.run, r.stage, r.verdict, r.headCommit, r.reportPath])).toEqual([
      ["verify-1", 1, "accepted", s1, "tasks/1/runs/verify-1/report.md"],
      ["verify-1", 2, "blocked", s2, "tasks/1/runs/verify-1/report.md"],
    ]);

    const runs = await checkRuns(repo);
    expect(runs.map((c) => [c.name, c.headSha, c.status, c.conclusion, c.externalId])).toEqual([
      ["okstra / stage 1", s1, "completed", "success", "1/1/verify-1"],
      ["okstra / stage 2", s2, "completed", "failure", "1/2/verify-1"],
    ]);
    expect(runs[1]!.actions).toEqual([
      { label: "Re-verify", description: "Verify this stage again", identifier: "reverify" },
    ]);
    expect(runs[1]!.output.annotations).toEqual([
      expect.objectContaining({
        path: "src/inventory.js",
        start_line: 27,
        end_line: 27,
        annotation_level: "failure",
        title: "V1-F-2 · major · partial-consensus",
      }),
    ]);
    expect(runs[1]!.output.summary).toContain("| major | **V1-F-2**");
    expect(runs[0]!.output.annotations).toEqual([
      expect.objectContaining({ path: "src/csv.js", start_line: 3, annotation_level: "notice" }),
    ]);

    const [pr1, pr2] = await pulls(repo);
    expect([pr1!.head, pr1!.draft]).toEqual(["okstra/1/s1", false]);
    expect([pr2!.head, pr2!.draft]).toEqual(["okstra/1/s2", true]);
    expect(pr1!.body).toContain("| ➡️ | **1 · CSV field escaping** | — | **this PR** | ✅ verified |");
    expect(pr1!.body).toContain(`| | 2 · Per-item value on the inventory | — | #${pr2!.number} | ⛔ blocked |`);

    const convergence = await ledgerJson(repo, "runs/verify-1/convergence.json");
    expect(convergence.findings.map((f: any) => [f.id, f.stage, f.classification])).toEqual([
      ["V1-F-1", 1, "full-consensus"],
      ["V1-F-2", 2, "partial-consensus"],
    ]);
    const report = await repo.ledgerFile("tasks/1/runs/verify-1/report.md");
    expect(report).toContain("DISAGREE (no evidence: does not contest)");
    expect(await workerFiles(repo, "verify-1")).toEqual([
      "reviewer-2-command-r1.json",
      "reviewer-3-command-r1.json",
      "reviewer-3-command-r2.json",
      "verifier-1-command.json",
      "verifier-2-command.json",
      "verifier-3-command.json",
    ]);

    // One status comment for the command: the implementation's, with the verification on it.
    const status = (await repo.comments()).at(-1)!.body;
    expect(status).toMatch(/### okstra · `\/okstra implement` · ✅ done · run `impl-1`/);
    expect(status).toContain("Verification `verify-1` · Independent review — 3 of 3 answered · 2 findings");
    expect(status).toContain("Stage 2: ⛔ **blocked**");
  });
});

describe("a major finding no other verifier could assess", () => {
  it("is worker-unique: stage conditionally accepted, check run neutral, PR still a draft", async () => {
    repo = await approvedRepo({ verifiers: [verifier("--findings F-2"), verifier("--findings none --review omit")] });
    expect((await repo.run("/okstra implement --stage 2")).code).toBe(0);
    expect((await ledgerRows(repo)).filter((r) => r.status === "verified").map((r) => [r.stage, r.verdict])).toEqual([
      [2, "conditional-accept"],
    ]);
    const [check] = await checkRuns(repo);
    expect([check!.name, check!.conclusion]).toEqual(["okstra / stage 2", "neutral"]);
    expect(check!.output.summary).toContain("major V1-F-2 (worker-unique)");
    expect((await pulls(repo)).map((p) => p.draft)).toEqual([true]);
    // The reviewer that left it out was asked once more, in round 2, then the finding was classified.
    expect(await workerFiles(repo, "verify-1")).toEqual([
      "reviewer-2-command-r1.json",
      "reviewer-2-command-r2.json",
      "verifier-1-command.json",
      "verifier-2-command.json",
    ]);
  });
});

describe("/okstra verify over a batch of three stages", () => {
  // The recorded verifiers log each request to a file outside their read-only clone, which the sandbox
  // forbids: this counts calls, so it runs unconfined (confinement is test/security/'s subject).
  beforeEach(() => {
    process.env.OKSTRA_SANDBOX = "off";
  });
  afterEach(() => {
    delete process.env.OKSTRA_SANDBOX;
  });

  it("makes one independent-review call per verifier for the whole batch, not one per stage", async () => {
    const log = path.join(process.env.TMPDIR ?? "/tmp", `okstra-verifier-log-${process.pid}-${Date.now()}.jsonl`);
    repo = await approvedRepo({
      verifiers: [
        verifier(`--findings F-1,F-3 --review agree --log ${log}`),
        verifier(`--findings F-2 --review agree --log ${log}`),
        verifier(`--findings none --review agree --log ${log}`),
      ],
      verification: "{ autoVerify: false, maxRounds: 2 }",
    });
    for (let i = 0; i < 2; i++) expect((await repo.run("/okstra implement")).code).toBe(0);
    expect(await verifierLog(log)).toEqual([]);

    const verify = await repo.run("/okstra verify");
    expect(verify.code).toBe(0);
    expect((await ledgerJson(repo, "runs/verify-1/run.json")).batch).toEqual([1, 2, 3]);

    const files = await workerFiles(repo, "verify-1");
    expect(files.filter((f) => f.startsWith("verifier-"))).toEqual([
      "verifier-1-command.json",
      "verifier-2-command.json",
      "verifier-3-command.json",
    ]);
    // Every finding is settled in round 1, so convergence costs one call per reviewer: three.
    expect(files.filter((f) => f.startsWith("reviewer-"))).toEqual([
      "reviewer-1-command-r1.json",
      "reviewer-2-command-r1.json",
      "reviewer-3-command-r1.json",
    ]);
    const calls = await verifierLog(log);
    expect(calls.filter((c) => c.role === "verifier").map((c) => c.stages)).toEqual([
      [1, 2, 3],
      [1, 2, 3],
      [1, 2, 3],
    ]);
    expect(calls.filter((c) => c.role === "reviewer")).toHaveLength(3);
    expect((await ledgerRows(repo)).filter((r) => r.status === "verified").map((r) => [r.stage, r.verdict])).toEqual([
      [1, "accepted"],
      [2, "blocked"],
      [3, "accepted"],
    ]);
  });
});

describe("/okstra verify: which stages, and refusals", () => {
  it("refuses --stage N for a stage that is not done, saying why, and a run with nothing left to verify", async () => {
    repo = await approvedRepo({ verifiers: [verifier("--findings none"), verifier("--findings none")] });
    const early = await repo.run("/okstra verify --stage 3");
    expect(early.code).toBe(1);
    expect((await repo.comments()).at(-1)!.body).toContain(
      "stage 3 is not done: it waits on stages 1, 2. Only a done stage can be verified.",
    );
    expect((await repo.run("/okstra verify")).code).toBe(1);
    expect((await repo.comments()).at(-1)!.body).toContain(
      "no stage of #1 is done yet, so there is nothing to verify.",
    );

    expect((await repo.run("/okstra implement")).code).toBe(0);
    const again = await repo.run("/okstra verify");
    expect(again.code).toBe(1);
    expect((await repo.comments()).at(-1)!.body).toContain(
      "every done stage of #1 (1, 2) already has a verdict at its current head.",
    );
    // `--stage N` verifies a done stage again even with a current verdict.
    expect((await repo.run("/okstra verify --stage 2")).code).toBe(0);
    expect(
      (await ledgerRows(repo)).filter((r) => r.status === "verified").map((r) => [r.run, r.stage, r.verdict]),
    ).toEqual([
      ["verify-1", 1, "accepted"],
      ["verify-1", 2, "accepted"],
      ["verify-2", 2, "accepted"],
    ]);
    expect((await repo.comments()).at(-1)!.body).toMatch(
      /### okstra · `\/okstra verify --stage 2` · ✅ done · run `verify-2`/,
    );
  });

  it("skips a reviewer that times out as a verification-error, never a DISAGREE", async () => {
    const verifiers = [
      verifier("--findings F-2 --review agree"),
      verifier("--findings none --review agree"),
      verifier("--findings none --review agree"),
    ];
    repo = await approvedRepo({ verifiers, verification: "{ autoVerify: false, maxRounds: 2 }" });
    expect((await repo.run("/okstra implement")).code).toBe(0);
    // The second verifier now hangs as a reviewer; its deadline is 1 s.
    verifiers[1] = verifier("--findings none --hang reviewer");
    await repo.commitFile(
      ".github/okstra.yml",
      okstraConfig({
        verifiers,
        verification: "{ autoVerify: false, maxRounds: 2 }",
        extra: "timeouts: { workerSeconds: 1 }",
      }),
    );

    expect((await repo.run("/okstra verify --stage 2")).code).toBe(0);
    const convergence = await ledgerJson(repo, "runs/verify-1/convergence.json");
    expect(convergence.skippedWorkers).toEqual([
      expect.objectContaining({
        worker: "verifier-2-command",
        role: "reviewer",
        round: 1,
        status: "timeout",
        classification: "verification-error",
      }),
    ]);
    expect(
      convergence.findings.map((f: any) => [
        f.id,
        f.classification,
        f.answers.map((a: any) => `${a.reviewer} ${a.verdict}`),
      ]),
    ).toEqual([["V1-F-2", "full-consensus", ["verifier-3-command AGREE"]]]);
    expect((await ledgerRows(repo)).filter((r) => r.status === "verified").map((r) => [r.stage, r.verdict])).toEqual([
      [2, "blocked"],
    ]);
    expect(await repo.ledgerFile("tasks/1/runs/verify-1/report.md")).toContain(
      "- verifier-2-command as reviewer in round 1: timeout",
    );
  });

  it("gives no verdict when no verifier answers: check runs cancelled, stage PRs left as drafts, the run failed", async () => {
    repo = await approvedRepo({ verifiers: [verifier("--fail both"), verifier("--fail both")] });
    expect((await repo.run("/okstra implement --stage 1")).code).toBe(0);
    expect((await ledgerRows(repo)).filter((r) => r.status === "verified")).toEqual([]);
    expect((await checkRuns(repo)).map((c) => [c.name, c.status, c.conclusion, c.output.title])).toEqual([
      ["okstra / stage 1", "completed", "cancelled", "Not verified"],
    ]);
    expect((await pulls(repo)).map((p) => p.draft)).toEqual([true]);
    expect(await ledgerJson(repo, "runs/verify-1/run.json")).toMatchObject({
      status: "failed",
      outcome: "no verdict: no verifier answered",
    });
    expect(
      (await ledgerJson(repo, "runs/verify-1/convergence.json")).skippedWorkers.map((s: any) => [
        s.worker,
        s.role,
        s.status,
      ]),
    ).toEqual([
      ["verifier-1-command", "verifier", "failed"],
      ["verifier-2-command", "verifier", "failed"],
    ]);
    // `/okstra verify` tries the unverified stage again.
    const retry = await repo.run("/okstra verify");
    expect(retry.code).toBe(1);
    expect((await ledgerJson(repo, "runs/verify-2/run.json")).batch).toEqual([1]);
  });
});
