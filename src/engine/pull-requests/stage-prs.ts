import { ensurePullRequest, type EnsuredPullRequest } from "./ensure-pull-request.js";
import type { PrRow, RowInput, StageState, TaskLedger } from "../../ledger/index.js";
import type { Platform, PullRequestInfo } from "../../platform/types.js";
import { mergeStagePrBody, renderStagePrBody } from "../../render/stage-pr-body.js";
import { renderStackBlock, replaceStackBlock, type StackEntry, type StackState } from "../../render/stack-block.js";
import type { Logger } from "../../util/log.js";
import type { PlanStage } from "../../plan/plan-schema.js";
import { syncNativeStacks, type StacksMemory } from "./native-stacks.js";
import { resolveStageBase } from "./stage-base.js";

/**
 * Stage PRs (SPEC §7.1), all through the platform port. After a stage is done
 * (carry written, branch pushed, `done` appended) the engine calls, in order:
 *   1. `publishStagePullRequest` — base, title and body, then open or reuse the PR;
 *   2. append `stagePrRow(...)` to the ledger and re-read the task;
 *   3. `refreshStackBlocks` — the navigation block of every stage PR of the task.
 * Step 3 also runs whenever a stage PR changes state (verified, merged, shipped).
 */

type PlanStages = { title: string; stages: readonly PlanStage[] };

// ── Ledger → navigation state ───────────────────────────────────────────────

/** The stage's own PR as the ledger last recorded it (a stage's PR may be replaced after one is closed). */
function lastPrRow(state: StageState | undefined, kind: PrRow["kind"]): PrRow | undefined {
  return state?.prs.filter((row) => row.kind === kind).at(-1);
}

const VERDICT_STATE = { accepted: "verified", "conditional-accept": "conditional", blocked: "blocked" } as const;

function entryState(state: StageState | undefined, pr: PullRequestInfo | undefined, verifying: boolean): StackState {
  if (pr?.merged) return "merged";
  if (lastPrRow(state, "group")) return "shipped";
  if (verifying) return "verifying";
  if (!state?.done) return state?.lastEnd?.status === "failed" ? "failed" : "not-started";
  // A verdict given at an older head says nothing about the current one: back to draft.
  if (state.verdict && state.verdictCurrent) return VERDICT_STATE[state.verdict.verdict];
  return "draft";
}

/**
 * One navigation entry per plan stage. `prs` holds the stage PRs as the
 * platform shows them now (for `merged`); a stage missing from it falls back
 * to the PR number its `pr` row names. `verifying` = stages whose verification
 * run is in progress.
 */
export function stackEntries(
  task: TaskLedger,
  plan: Pick<PlanStages, "stages">,
  prs: ReadonlyMap<number, PullRequestInfo>,
  verifying: ReadonlySet<number> = new Set(),
): StackEntry[] {
  const states = new Map(task.state.stages.map((s) => [s.stage, s]));
  return [...plan.stages]
    .sort((a, b) => a.number - b.number)
    .map((stage) => {
      const state = states.get(stage.number);
      const pr = prs.get(stage.number);
      const number = pr?.number ?? lastPrRow(state, "stage")?.number;
      const group = lastPrRow(state, "group");
      const entry: StackEntry = {
        stage: stage.number,
        title: stage.title,
        dependsOn: stage.dependsOn,
        state: entryState(state, pr, verifying.has(stage.number)),
      };
      if (number !== undefined) entry.pr = number;
      if (entry.state === "shipped" && group) entry.shippedIn = group.number;
      return entry;
    });
}

// ── Open or reuse ───────────────────────────────────────────────────────────

export interface EnsureStagePullRequestInput {
  platform: Platform;
  stage: number;
  /** The head, `okstra/<N>/s<S>`. */
  branch: string;
  baseBranch: string;
  title: string;
  /** As `renderStagePrBody` renders it; on reuse only okstra's sections are taken from it. */
  body: string;
  /** Whether a new PR opens as a draft (`implementation.draftStagePRs`); a reused PR keeps its draft state. */
  draft: boolean;
  log: Logger;
}

export type EnsuredStagePullRequest = EnsuredPullRequest;

export function ensureStagePullRequest(input: EnsureStagePullRequestInput): Promise<EnsuredStagePullRequest> {
  return ensurePullRequest({
    ...input,
    head: input.branch,
    base: input.baseBranch,
    mergeBody: mergeStagePrBody,
    describe: { stage: input.stage },
  });
}

/** The `pr` row recording a stage PR okstra opened or reused (SPEC §4.1). */
export function stagePrRow(input: {
  run: string;
  stage: number;
  branch: string;
  number: number;
  url: string;
}): RowInput {
  return {
    run: input.run,
    status: "pr",
    stages: [input.stage],
    kind: "stage",
    branch: input.branch,
    number: input.number,
    url: input.url,
  };
}

/**
 * Step 1 of the pipeline for one done stage: base branch (SPEC §15.4), title
 * and body from the plan, carries and the stage PRs as they are now, then open
 * or reuse the PR. The navigation block is final from the start (its own row
 * says "this PR"), so a new PR costs one create and no edit. The PRs read here
 * are returned for `refreshStackBlocks`, which then reads none of them again.
 */
export async function publishStagePullRequest(input: {
  platform: Platform;
  task: TaskLedger;
  plan: PlanStages;
  stage: number;
  draft: boolean;
  log: Logger;
}): Promise<EnsuredStagePullRequest & { branch: string; baseBranch: string; known: Map<number, PullRequestInfo> }> {
  const { task, plan } = input;
  const stage = plan.stages.find((s) => s.number === input.stage);
  const carry = task.carries.find((c) => c.carry.stage === input.stage)?.carry;
  if (!stage || !carry)
    throw new Error(`stage ${input.stage} has ${stage ? "no carry" : "no plan entry"}; a stage PR needs both`);
  const dependencies = task.carries.filter((c) => stage.dependsOn.includes(c.carry.stage)).map((c) => c.carry);
  const known = await currentStagePrs(input.platform, task, plan, input.stage);
  const stack = stackEntries(task, plan, known);
  const { title, body } = renderStagePrBody({ plan, stage: stage.number, carry, task, dependencies, stack });
  const baseBranch = (await resolveStageBase({ platform: input.platform, task, stage, known })).branch;
  const branch = carry.branch;
  const pr = await ensureStagePullRequest({
    platform: input.platform,
    stage: stage.number,
    branch,
    baseBranch,
    title,
    body,
    draft: input.draft,
    log: input.log,
  });
  known.set(stage.number, pr.pr);
  return { ...pr, branch, baseBranch, known };
}

// ── Navigation refresh ──────────────────────────────────────────────────────

export interface StackRefresh {
  stage: number;
  pr: number;
  outcome: "unchanged" | "replaced" | "appended" | "refused" | "closed";
  reason?: string;
}

/**
 * Each stage's current PR: the one its last `pr` row names, or — for a done
 * stage whose row was never written (a crash between create and append) —
 * the open PR of its branch.
 */
async function currentStagePrs(
  platform: Platform,
  task: TaskLedger,
  plan: Pick<PlanStages, "stages">,
  skip?: number,
): Promise<Map<number, PullRequestInfo>> {
  const states = new Map(task.state.stages.map((s) => [s.stage, s]));
  const prs = new Map<number, PullRequestInfo>();
  for (const stage of [...plan.stages].sort((a, b) => a.number - b.number)) {
    if (stage.number === skip) continue;
    const state = states.get(stage.number);
    const row = lastPrRow(state, "stage");
    const done = state?.done;
    const pr = row
      ? await platform.getPullRequest(row.number)
      : done
        ? await platform.findOpenPullRequest(done.branch)
        : null;
    if (pr) prs.set(stage.number, pr);
  }
  return prs;
}

/**
 * SPEC §7.1: rewrites only the navigation block in every stage PR of the
 * task. Each body is re-read right before its write, so an edit made while
 * the others were written is kept; a damaged block is reported and left
 * alone; an unchanged block costs no write. Closed, unmerged PRs are skipped.
 * Cost per stage PR: one read for the states every block shows, one re-read
 * before its write, and a write only when its block changed. `known` = PRs
 * the caller read (or wrote) a moment ago: not read again; `fresh` names the
 * one whose body the caller has just written, so it is not re-read either.
 */
export async function refreshStackBlocks(input: {
  platform: Platform;
  task: TaskLedger;
  plan: Pick<PlanStages, "stages">;
  log: Logger;
  verifying?: ReadonlySet<number>;
  known?: { prs: ReadonlyMap<number, PullRequestInfo>; fresh: number };
  /** Given where PRs may have been opened or retargeted: the native stacks are kept in step too (SPEC §15.5). */
  stacks?: StacksMemory;
}): Promise<StackRefresh[]> {
  const { platform, task, log } = input;
  const prs = input.known ? new Map(input.known.prs) : await currentStagePrs(platform, task, input.plan);
  const entries = stackEntries(task, input.plan, prs, input.verifying);
  const heads = new Map(task.state.stages.map((s) => [s.stage, s.done?.headCommit]));
  const results: StackRefresh[] = [];
  for (const [stage, known] of prs) {
    const fresh = input.known?.fresh === known.number ? known : await platform.getPullRequest(known.number);
    if (fresh.state === "closed" && !fresh.merged) {
      results.push({ stage, pr: fresh.number, outcome: "closed" });
      continue;
    }
    const block = renderStackBlock(entries, stage, { task: task.issue, stage, head: heads.get(stage) });
    const replaced = replaceStackBlock(fresh.body, block);
    if (replaced.kind === "refused") {
      log.warn({ pr: fresh.number, stage, reason: replaced.reason }, "stack block damaged; not rewriting");
      results.push({ stage, pr: fresh.number, outcome: "refused", reason: replaced.reason });
      continue;
    }
    if (replaced.kind !== "unchanged") await platform.updatePullRequest(fresh.number, { body: replaced.body });
    results.push({ stage, pr: fresh.number, outcome: replaced.kind });
  }
  if (input.stacks) await keepNativeStacks(platform, [...prs.values()], input.stacks, log);
  return results;
}

/** A failure of the Stacks API is logged, never a failed refresh: the navigation block is written already. */
async function keepNativeStacks(
  platform: Platform,
  prs: PullRequestInfo[],
  memory: StacksMemory,
  log: Logger,
): Promise<void> {
  const open = prs.filter((pr) => pr.state === "open");
  try {
    await syncNativeStacks({ platform, open, memory, log });
  } catch (error) {
    log.warn({ err: error }, "could not keep the native stacks in step");
  }
}
