import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createSampleRepository } from "../../src/cli/sample-repository.js";
import type { Plan } from "../../src/plan/plan-schema.js";
import { Ledger } from "../../src/ledger/ledger.js";
import { createLocalLedgerStore } from "../../src/ledger/local-store.js";
import { carryFile } from "../../src/ledger/paths.js";
import type { TaskLedger } from "../../src/ledger/task-ledger.js";
import { createLocalIssue, createLocalPlatform, type LocalPull } from "../../src/platform/local/index.js";
import type { Platform } from "../../src/platform/types.js";
import { git } from "../../src/util/git.js";
import { taskMeta } from "../ledger/fixtures.js";
import { ISSUE, stageCarry, validPlan } from "./fixtures.js";

/**
 * Task 12 on a real repository played by the local platform: the sample
 * project, issue 12 (so PR numbers start at 13), and stage branches with real
 * commits, recorded in a real local ledger the way a run leaves them: carry
 * and `done` for every stage that was built.
 */

export interface StageRepo {
  dir: string;
  platform: Platform;
  ledger: Ledger;
  plan: Plan;
  heads: Map<number, string>;
  task(): Promise<TaskLedger>;
  pullFile(number: number): Promise<LocalPull>;
  pullFileText(number: number): Promise<string>;
  setPullBody(number: number, body: string): Promise<void>;
  gitIn(args: string[]): Promise<string>;
  dispose(): Promise<void>;
}

/** Builds branches for `stages` (each from its dependencies: main, one head, or a merge of several) and records them done. */
export async function createStageRepo(stages: number[], plan: Plan = validPlan()): Promise<StageRepo> {
  const root = await mkdtemp(path.join(tmpdir(), "okstra-stage-prs-"));
  const dir = await createSampleRepository(path.join(root, "repo"));
  const gitIn = async (args: string[]) => (await git(args, { cwd: dir })).stdout.trim();
  await createLocalIssue(dir, {
    number: ISSUE,
    title: "Add CSV export",
    body: "Please add CSV export.",
    author: "maintainer",
  });
  const base = await gitIn(["rev-parse", "main"]);

  const heads = new Map<number, string>();
  const starts = new Map<number, string>();
  for (const number of stages) {
    const stage = plan.stages.find((s) => s.number === number)!;
    const [first, ...others] = stage.dependsOn.map((d) => `okstra/${ISSUE}/s${d}`);
    await gitIn(["switch", "-q", "-c", `okstra/${ISSUE}/s${number}`, first ?? "main"]);
    for (const other of others) await gitIn(["merge", "-q", "--no-ff", "-m", `merge: ${other}`, other]);
    starts.set(number, await gitIn(["rev-parse", "HEAD"]));
    await writeFile(path.join(dir, `stage-${number}.txt`), `stage ${number}\n`);
    await gitIn(["add", `stage-${number}.txt`]);
    await gitIn([
      "commit",
      "-q",
      "-m",
      `feat(csv): stage ${number}\n\nOkstra-Task: #${ISSUE}\nOkstra-Stage: ${number}`,
    ]);
    heads.set(number, await gitIn(["rev-parse", "HEAD"]));
  }
  await gitIn(["switch", "-q", "main"]);

  const ledger = new Ledger(createLocalLedgerStore(dir));
  const files: Record<string, string> = {
    "task.json": JSON.stringify(taskMeta(ISSUE, { implementationBaseCommit: base })),
    "plan.json": JSON.stringify(plan),
  };
  for (const [stage, head] of heads)
    files[carryFile(stage)] = JSON.stringify(
      stageCarry(stage, {
        stageCommitRange: { base: starts.get(stage)!, head },
        commits: [{ sha: head, subject: `feat(csv): stage ${stage}` }],
      }),
    );
  await ledger.writeFiles(ISSUE, files);
  await ledger.appendRows(
    ISSUE,
    [...heads].map(([stage, head]) => ({
      run: "impl-1",
      status: "done" as const,
      stage,
      headCommit: head,
      branch: `okstra/${ISSUE}/s${stage}`,
      carryPath: `tasks/${ISSUE}/${carryFile(stage)}`,
    })),
  );

  const pullPath = (n: number) => path.join(dir, ".okstra-local", "pulls", `${n}.json`);
  const platform = createLocalPlatform({ repoDir: dir, actor: "maintainer" });
  return {
    dir,
    platform,
    ledger,
    plan,
    heads,
    task: async () => (await ledger.readTask(ISSUE))!,
    pullFileText: (n) => readFile(pullPath(n), "utf8"),
    pullFile: async (n) => JSON.parse(await readFile(pullPath(n), "utf8")) as LocalPull,
    // What a person editing the description on the forge does.
    setPullBody: (n, body) => platform.updatePullRequest(n, { body }),
    gitIn,
    dispose: () => rm(root, { recursive: true, force: true }),
  };
}
