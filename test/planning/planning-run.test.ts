import { afterEach, describe, expect, it } from "@jest/globals";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createLocalRepo, planningWorker, type LocalRepo } from "../helpers/local-repo.js";

let repo: LocalRepo;
afterEach(async () => {
  await repo?.dispose();
});

/** Commits a config whose analysers and lead replay recorded answers. */
async function configure(analysers: string[], lead = "--lead good", extra = "") {
  await repo.commitFile(
    ".github/okstra.yml",
    [
      `workers:`,
      `  lead: ${planningWorker(lead)}`,
      `  analysers:`,
      ...analysers.map((flags) => `    - ${planningWorker(flags)}`),
      extra,
    ].join("\n"),
  );
}

async function planJson() {
  return JSON.parse(await repo.ledgerFile("tasks/1/plan.json"));
}

describe("/okstra plan (local platform, command workers)", () => {
  it("plans end to end: independent drafts, a lead fix round for S2 and S9, the gate, one commit for the plan", async () => {
    repo = await createLocalRepo();
    await configure(["--draft full --review agree", "--draft merged --review agree"], "--lead bad-then-fixed");
    const result = await repo.run("/okstra plan\nKeep the library dependency-free.");
    expect(result.code).toBe(0);

    const files = await repo.ledgerFiles();
    expect(files).toEqual(
      expect.arrayContaining([
        "tasks/1/task.json",
        "tasks/1/plan.json",
        "tasks/1/plan.md",
        "tasks/1/runs/plan-1/run.json",
        "tasks/1/runs/plan-1/report.md",
        "tasks/1/runs/plan-1/workers/analyser-1-command.json",
        "tasks/1/runs/plan-1/workers/analyser-2-command.json",
        "tasks/1/runs/plan-1/workers/lead-command.json",
        "tasks/1/runs/plan-1/workers/lead-command-fix-1.json",
      ]),
    );
    // The analysers drafted independently and differently.
    const draft1 = JSON.parse(await repo.ledgerFile("tasks/1/runs/plan-1/workers/analyser-1-command.json"));
    const draft2 = JSON.parse(await repo.ledgerFile("tasks/1/runs/plan-1/workers/analyser-2-command.json"));
    expect(draft1.result.plan.stages).toHaveLength(4);
    expect(draft2.result.plan.stages).toHaveLength(3);
    // The lead's first plan broke S2 and S9; the fix round got both violations and fixed them.
    const fix = JSON.parse(await repo.ledgerFile("tasks/1/runs/plan-1/workers/lead-command-fix-1.json"));
    expect(fix.status).toBe("ok");
    const report = await repo.ledgerFile("tasks/1/runs/plan-1/report.md");
    expect(report).toContain("Fix rounds: 1");

    const plan = await planJson();
    expect(plan.version).toBe(1);
    expect(plan.stages.map((s: { steps: unknown[] }) => s.steps.length)).toEqual([2, 2, 2, 3]);
    expect(plan.provenance).toMatchObject({
      gate: "passed",
      lead: "lead-command",
      analysers: [{ worker: "analyser-1-command" }, { worker: "analyser-2-command" }],
    });
    const run = JSON.parse(await repo.ledgerFile("tasks/1/runs/plan-1/run.json"));
    expect(run).toMatchObject({
      id: "plan-1",
      phase: "planning",
      status: "succeeded",
      guidance: "Keep the library dependency-free.",
      planVersion: 1,
      gate: "passed",
    });
    expect(run.trigger).toMatchObject({ actor: "maintainer", command: "/okstra plan" });
    expect(await repo.ledgerCommits()).toEqual(["ledger(#1): plan v1", "ledger(#1): start plan-1"]);

    const [, status, planComment] = await repo.comments();
    expect(status.body).toContain("✓ Validation — valid after 1 fix round");
    expect(status.body).toContain("Next: `/okstra approve`");
    expect(planComment.body).toContain("```mermaid");
    expect(planComment.body).toContain("S1 --> S3");
    expect(planComment.body).toContain("**Next:** `/okstra approve`");
    expect((planComment.body.match(/<details>/g) ?? []).length).toBe(4);
  });

  it("gate passed-with-dissent: a minority DISAGREE is kept in the dissent log", async () => {
    repo = await createLocalRepo();
    await configure([
      "--draft full --review agree",
      "--draft full --review disagree:P-1.1",
      "--draft full --review agree",
    ]);
    expect((await repo.run("/okstra plan")).code).toBe(0);
    const plan = await planJson();
    expect(plan.provenance.gate).toBe("passed-with-dissent");
    expect(plan.provenance.dissent).toEqual([
      expect.objectContaining({ item: "P-1.1", worker: "plan-reviewer-2-command", stance: "DISAGREE" }),
    ]);
    expect(plan.clarifications).toEqual([]);
  });

  it("gate blocked-by-disagreement: a majority DISAGREE becomes a clarification that blocks approval", async () => {
    repo = await createLocalRepo();
    await configure([
      "--draft full --review disagree:P-3.exit",
      "--draft full --review disagree:P-3.exit",
      "--draft full --review agree",
    ]);
    expect((await repo.run("/okstra plan")).code).toBe(0);
    const plan = await planJson();
    expect(plan.provenance.gate).toBe("blocked-by-disagreement");
    expect(plan.clarifications).toEqual([
      expect.objectContaining({ id: "C-1", blocks: "approval", statement: expect.stringContaining("P-3.exit") }),
    ]);
    const planComment = (await repo.comments()).at(-1)!;
    expect(planComment.body).toContain("C-1");

    const approve = await repo.run("/okstra approve");
    expect(approve.code).toBe(1);
    expect((await repo.comments()).at(-1)!.body).toContain("blocked by disagreement on C-1");
    expect(await repo.ledgerFile("tasks/1/ledger.jsonl").catch(() => "")).not.toContain('"approved"');
  });

  it("gate aborted-non-result: too few reviewers answered", async () => {
    repo = await createLocalRepo();
    await configure(["--draft full --review agree", "--draft full --review fail", "--draft full --review garbage"]);
    const result = await repo.run("/okstra plan");
    expect(result.code).toBe(1);
    const plan = await planJson();
    expect(plan.provenance.gate).toBe("aborted-non-result");
    const run = JSON.parse(await repo.ledgerFile("tasks/1/runs/plan-1/run.json"));
    expect(run.status).toBe("failed");
    const garbage = JSON.parse(await repo.ledgerFile("tasks/1/runs/plan-1/workers/plan-reviewer-3-command.json"));
    expect(garbage).toMatchObject({ status: "contract-violated", attempts: 2 });
    expect((await repo.run("/okstra approve")).code).toBe(1);
  });

  it("a DISAGREE without evidence never blocks", async () => {
    repo = await createLocalRepo();
    await configure([
      "--draft full --review disagree-no-evidence:P-2.1",
      "--draft full --review disagree-no-evidence:P-2.1",
    ]);
    expect((await repo.run("/okstra plan")).code).toBe(0);
    expect((await planJson()).provenance.gate).toBe("passed-with-dissent");
  });
});

describe("/okstra approve and /okstra replan", () => {
  it("refuses a read user, approves a maintainer bound to the digest, and replan voids the old approval", async () => {
    repo = await createLocalRepo();
    await configure(["--draft full --review agree", "--draft full --review agree"]);
    expect((await repo.run("/okstra plan")).code).toBe(0);

    await repo.setPermissions({ reader: "read" });
    expect((await repo.run("/okstra approve", "reader")).code).toBe(1);
    expect((await repo.comments()).at(-1)!.body).toContain("okstra commands need `write` or higher");

    expect((await repo.run("/okstra approve")).code).toBe(0);
    const rows = (await repo.ledgerFile("tasks/1/ledger.jsonl"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const digest = JSON.parse(await repo.ledgerFile("tasks/1/runs/plan-1/run.json"));
    expect(rows).toEqual([
      expect.objectContaining({ status: "planned", planVersion: 1, run: "plan-1" }),
      expect.objectContaining({ status: "approved", actor: "maintainer", run: "approve-1" }),
    ]);
    expect(rows[0].planDigest).toBe(rows[1].planDigest);
    expect(digest.planVersion).toBe(1);
    const task = JSON.parse(await repo.ledgerFile("tasks/1/task.json"));
    expect(task.implementationBaseCommit).toMatch(/^[0-9a-f]{40}$/);

    // plan refuses to replace an approved plan; replan supersedes it and the approval no longer counts.
    expect((await repo.run("/okstra plan")).code).toBe(1);
    expect((await repo.comments()).at(-1)!.body).toContain("`/okstra replan`");
    await configure(
      ["--draft full --review agree", "--draft full --review agree"],
      "--lead good",
      "planning: { stageStepCap: 5 }",
    );
    expect((await repo.run("/okstra replan")).code).toBe(0);
    expect(await repo.ledgerFiles()).toEqual(expect.arrayContaining(["tasks/1/plan.v1.json", "tasks/1/plan.json"]));
    expect((await planJson()).version).toBe(2);
    const status = await repo.run("/okstra status");
    expect(status.stdout).toContain("Plan v2");
    expect(status.stdout).not.toContain("Plan v2: approved");
  });

  it("replan with no plan yet names the command to use", async () => {
    repo = await createLocalRepo();
    expect((await repo.run("/okstra replan")).code).toBe(1);
    expect((await repo.comments()).at(-1)!.body).toContain("Comment `/okstra plan` to plan it.");
  });
});

describe("bad input", () => {
  it("plans an issue with an empty body", async () => {
    repo = await createLocalRepo({ issueFile: await issueFile("# Export CSV\n") });
    await configure(["--draft full --review agree", "--draft full --review agree"]);
    expect((await repo.run("/okstra plan")).code).toBe(0);
    const lead = JSON.parse(await repo.ledgerFile("tasks/1/runs/plan-1/workers/lead-command.json"));
    expect(lead.status).toBe("ok");
  });

  it("plans an issue with a 1 MB body, showing workers a bounded excerpt", async () => {
    repo = await createLocalRepo({
      issueFile: await issueFile(`# Export CSV\n\n${"Lorem ipsum dolor sit amet. ".repeat(40_000)}`),
    });
    await configure(["--draft full --review agree", "--draft full --review agree"]);
    expect((await repo.run("/okstra plan")).code).toBe(0);
    const run = JSON.parse(await repo.ledgerFile("tasks/1/runs/plan-1/run.json"));
    expect(run.issueSnapshot.bodyTruncated).toBe(true);
    expect(run.issueSnapshot.bodyChars).toBeGreaterThan(1_000_000);
    expect(run.issueSnapshot.body.length).toBeLessThan(50_000);
  });

  it.each([
    ["--lead forty-stages", "S1", "the plan has 40 stages; the limit is 20"],
    ["--lead fix-command", "S6", "--fix"],
    ["--lead always-bad", "S2", "S9"],
  ])("%s → invalid-plan with the violations, and no plan written", async (lead, check, detail) => {
    repo = await createLocalRepo();
    await configure(["--draft full --review agree", "--draft full --review agree"], lead);
    const result = await repo.run("/okstra plan");
    expect(result.code).toBe(1);
    const status = (await repo.comments()).at(-1)!;
    expect(status.body).toContain("Planning stopped (invalid-plan); no plan was saved.");
    expect(status.body).toContain(check);
    expect(status.body).toContain(detail);
    const files = await repo.ledgerFiles();
    expect(files).not.toContain("tasks/1/plan.json");
    expect(JSON.parse(await repo.ledgerFile("tasks/1/runs/plan-1/run.json"))).toMatchObject({ status: "failed" });
    expect(JSON.parse(await repo.ledgerFile("tasks/1/runs/plan-1/workers/lead-command-fix-2.json")).status).toBe("ok");
  });

  it("refuses an unknown base branch without starting a run", async () => {
    repo = await createLocalRepo();
    expect((await repo.run("/okstra plan --base nope")).code).toBe(1);
    expect((await repo.comments()).at(-1)!.body).toContain("the base branch `nope` does not exist");
    expect(await repo.ledgerFiles()).toEqual([]);
  });
});

async function issueFile(text: string): Promise<string> {
  const file = path.join(tmpdir(), `okstra-issue-${process.pid}-${Math.random().toString(36).slice(2)}.md`);
  await writeFile(file, text);
  return file;
}
