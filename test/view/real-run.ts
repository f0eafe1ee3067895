import { expect } from "@jest/globals";
import { readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { runCli } from "../../src/cli/main.js";
import { Ledger, createLocalLedgerStore } from "../../src/ledger/index.js";
import { addLocalComment, createLocalPlatform } from "../../src/platform/local/index.js";
import { git } from "../../src/util/git.js";
import { createLocalRepo, planningWorker, RECORDINGS, type LocalRepo } from "../helpers/local-repo.js";

/**
 * A real local run for the view tests: the sample repository's issue (with
 * a hostile title and body) planned, approved and implemented by the
 * recorded workers through the real engine, then written to the way
 * GitHub would show it after later phases: a hostile comment, a reaction,
 * a verdict for stage 1, a CI check run and a group PR.
 */

export const HOSTILE_TITLE = `Export <b>CSV</b> & "quotes" <script>alert(1)</script>`;
export const SCRIPT_PAYLOAD = "<script>alert(1)</script>";
export const ATTRIBUTE_PAYLOAD = `"><img src=x onerror=alert(1)>`;
export const HOSTILE_COMMENT = [
  `<details open ontoggle=alert(2)><summary>click</summary>`,
  `[innocent](javascript:alert(3)) and ![pixel](https://example.com/p.png)`,
  `<iframe src="https://example.com"></iframe> <a href="https://example.com">raw anchor</a>`,
  "| a | b |",
  "|---|---|",
  `| <img src=x onerror=alert(4)> | \`<script>\` |`,
].join("\n");

const EXECUTOR = path.join(RECORDINGS, "executor-worker.mjs");
const STAGES = path.join(RECORDINGS, "inventory-csv", "stages");

export interface RealRun {
  repo: LocalRepo;
  ledger: Ledger;
  /** Plan stages as stored in the ledger: number and dependencies. */
  planStages: Array<{ number: number; dependsOn: number[] }>;
  groupPull: number;
}

export async function createRealRun(implementRuns: number): Promise<RealRun> {
  const issueFile = path.join(tmpdir(), `okstra-view-issue-${process.pid}-${Date.now()}.md`);
  await writeFile(
    issueFile,
    `# ${HOSTILE_TITLE}\n\nPlease export CSV. ${SCRIPT_PAYLOAD}\n\nA name like ${ATTRIBUTE_PAYLOAD} must survive.\n`,
  );
  const repo = await createLocalRepo({ issueFile });
  await repo.commitFile(
    ".github/okstra.yml",
    [
      "workers:",
      `  lead: ${planningWorker("--lead good")}`,
      `  analysers: [ ${planningWorker("--draft full --review agree")}, ${planningWorker("--draft full --review agree")} ]`,
      `  executor: { provider: command, command: "${process.execPath} ${EXECUTOR} --stages ${STAGES}" }`,
      "pilot: false",
    ].join("\n"),
  );
  for (const command of [
    "/okstra plan",
    "/okstra approve",
    ...Array<string>(implementRuns).fill("/okstra implement"),
  ]) {
    expect({ command, code: (await repo.run(command)).code }).toEqual({ command, code: 0 });
  }
  await rm(issueFile);
  const ledger = new Ledger(createLocalLedgerStore(repo.dir));
  const plan = JSON.parse(await repo.ledgerFile("tasks/1/plan.json")) as {
    stages: Array<{ number: number; dependsOn: number[] }>;
  };
  const groupPull = await laterPhases(repo, ledger);
  return { repo, ledger, planStages: plan.stages.map(({ number, dependsOn }) => ({ number, dependsOn })), groupPull };
}

/** What verification, CI, `/okstra ship` and other users would have added, written through the same ports they use. */
async function laterPhases(repo: LocalRepo, ledger: Ledger): Promise<number> {
  const platform = createLocalPlatform({ repoDir: repo.dir, actor: "maintainer" });
  const s1 = (await git(["rev-parse", "okstra/1/s1"], { cwd: repo.dir })).stdout.trim();
  await ledger.appendRows(1, [
    {
      run: "verify-view",
      status: "verified",
      stage: 1,
      verdict: "accepted",
      reportPath: "runs/verify-view/report.md",
      headCommit: s1,
    },
  ]);
  await platform.createCheckRun({
    name: "ci / test",
    headSha: s1,
    status: "completed",
    conclusion: "success",
    output: { title: "7 passed", summary: "" },
  });

  await git(["branch", "okstra/1/group-1-2", "okstra/1/s2"], { cwd: repo.dir });
  const group = await platform.createPullRequest({
    title: "Stages 1–2 (#1)",
    body: "Group of stages 1 and 2.",
    head: "okstra/1/group-1-2",
    base: "main",
    draft: false,
  });
  await ledger.appendRows(1, [
    {
      run: "ship-view",
      status: "pr",
      stages: [1, 2],
      kind: "group",
      branch: "okstra/1/group-1-2",
      number: group.number,
      url: group.url,
    },
  ]);
  await platform.createCheckRun({
    name: "ci / test",
    headSha: await branchHead(repo, "okstra/1/group-1-2"),
    status: "completed",
    conclusion: "failure",
    output: { title: "1 failed", summary: "" },
  });

  const comment = await addLocalComment(repo.dir, 1, { author: "mallory", body: HOSTILE_COMMENT });
  await platform.addReaction(comment.id, "heart");
  return group.number;
}

async function branchHead(repo: LocalRepo, branch: string): Promise<string> {
  return (await git(["rev-parse", branch], { cwd: repo.dir })).stdout.trim();
}

export async function viewCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(["view", ...args], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

export async function writePage(run: RealRun): Promise<{ file: string; html: string }> {
  const result = await viewCli(["--repo", run.repo.dir, "--issue", "1"]);
  expect(result).toMatchObject({ code: 0, stderr: "" });
  const file = result.stdout.trim();
  return { file, html: await readFile(file, "utf8") };
}
