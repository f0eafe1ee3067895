import type { Ledger } from "../ledger/ledger.js";
import type { PrRow } from "../ledger/rows.js";
import type { TaskLedger } from "../ledger/task-ledger.js";
import {
  listLocalCheckRuns,
  listLocalPulls,
  readLocalComments,
  readLocalIssue,
  type LocalCheckRun,
  type LocalPull,
} from "../platform/local/index.js";
import { git } from "../util/git.js";
import { stageStatus } from "./stage-status.js";
import type { ViewCheck, ViewData, ViewPlan, ViewPull, ViewStage } from "./view-data.js";

/**
 * Reads what the page shows, in this order:
 * 1. the issue and its comments from `DIR/.okstra-local/` (SPEC §11.1);
 * 2. the task from the ledger: plan, rows and derived stage state;
 * 3. okstra's pull requests for the issue, each with its head commit in DIR
 *    and the latest check run of each name on that commit.
 */

export class ViewUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ViewUnavailableError";
  }
}

export async function gatherView(
  repoDir: string,
  issueNumber: number,
  ledger: Ledger,
  now = new Date(),
): Promise<ViewData> {
  const issue = await readLocalIssue(repoDir, issueNumber);
  if (!issue) throw new ViewUnavailableError(`issue #${issueNumber} does not exist in ${repoDir}/.okstra-local`);
  const task = await ledger.readTask(issueNumber);
  if (!task)
    throw new ViewUnavailableError(
      `okstra has no task for #${issueNumber} yet (no plan); run \`okstra run "/okstra plan" --repo ${repoDir} --issue ${issueNumber}\` first`,
    );
  const [comments, pulls] = await Promise.all([readLocalComments(repoDir, issueNumber), gatherPulls(repoDir, task)]);
  return {
    repoDir,
    issue,
    comments,
    task,
    plan: viewPlan(task),
    stages: viewStages(task),
    pulls,
    rows: task.rows,
    generatedAt: now.toISOString(),
  };
}

type RawPlan = {
  title?: unknown;
  summary?: unknown;
  version?: unknown;
  stages?: Array<{ number?: unknown; title?: unknown }>;
} | null;

function viewPlan(task: TaskLedger): ViewPlan | null {
  const raw = task.plan as RawPlan;
  if (!raw) return null;
  return {
    title: typeof raw.title === "string" ? raw.title : task.meta.title,
    summary: typeof raw.summary === "string" ? raw.summary : "",
    version: typeof raw.version === "number" ? raw.version : task.meta.planVersion,
  };
}

/** The plan's stages in plan order; the ledger already validated their structure, titles are read leniently. */
function viewStages(task: TaskLedger): ViewStage[] {
  const raw = (task.plan as RawPlan)?.stages ?? [];
  return (task.planStages ?? []).map((shape) => {
    const title = raw.find((s) => s.number === shape.number)?.title;
    const state = task.state.stages.find((s) => s.stage === shape.number);
    const status = stageStatus(state);
    let note: string | null = null;
    if (status === "failed" && state?.lastEnd && "reason" in state.lastEnd) note = state.lastEnd.reason;
    if (state?.verdict && !state.verdictCurrent && state.done)
      note = `verdict ${state.verdict.verdict} is stale (given at ${state.verdict.headCommit.slice(0, 7)})`;
    return {
      number: shape.number,
      title: typeof title === "string" ? title : `Stage ${shape.number}`,
      steps: shape.steps.length,
      dependsOn: shape.dependsOn,
      status,
      note,
    };
  });
}

async function gatherPulls(repoDir: string, task: TaskLedger): Promise<ViewPull[]> {
  const prefix = `okstra/${task.issue}/`;
  const [pulls, checkRuns] = await Promise.all([listLocalPulls(repoDir), listLocalCheckRuns(repoDir)]);
  // The last `pr` row per number says what okstra opened it for.
  const rows = new Map<number, PrRow>();
  for (const row of task.rows) if (row.status === "pr") rows.set(row.number, row);
  const ours = pulls.filter((pull) => pull.head.startsWith(prefix) || rows.has(pull.number));
  return Promise.all(
    ours.map(async (pull) =>
      viewPull(pull, rows.get(pull.number), await branchHead(repoDir, pull.head), checkRuns, prefix),
    ),
  );
}

function viewPull(
  pull: LocalPull,
  row: PrRow | undefined,
  headSha: string | null,
  checkRuns: LocalCheckRun[],
  prefix: string,
): ViewPull {
  const suffix = pull.head.startsWith(prefix) ? pull.head.slice(prefix.length) : "";
  const kind = row?.kind ?? (suffix.startsWith("group-") ? "group" : "stage");
  const stages = row?.stages ?? (suffix.match(/\d+/g) ?? []).map(Number);
  const { number, title, body, head, base, draft, state, merged } = pull;
  return {
    number,
    title,
    body,
    head,
    base,
    draft,
    state,
    merged: merged === true,
    kind,
    stages,
    headSha,
    checks: latestChecks(checkRuns, headSha),
  };
}

/** As a pull request page shows them: the newest run of each name on the head commit. */
function latestChecks(checkRuns: LocalCheckRun[], headSha: string | null): ViewCheck[] {
  if (headSha === null) return [];
  const byName = new Map<string, LocalCheckRun>();
  for (const run of checkRuns)
    if (run.headSha === headSha && (byName.get(run.name)?.id ?? 0) < run.id) byName.set(run.name, run);
  return [...byName.values()]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((run) => ({
      id: run.id,
      name: run.name,
      status: run.status,
      conclusion: run.conclusion,
      title: run.output.title,
    }));
}

async function branchHead(repoDir: string, branch: string): Promise<string | null> {
  const result = await git(["rev-parse", "--verify", "-q", `refs/heads/${branch}^{commit}`], {
    cwd: repoDir,
    allowFailure: true,
  });
  return result.exitCode === 0 ? result.stdout.trim() : null;
}
