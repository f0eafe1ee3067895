import type { CarrySidecar, PlanStageShape } from "./files.js";
import { planDigest } from "../plan/plan-digest.js";
import {
  CLAIM_END_STATUSES,
  isReconciliation,
  type AbandonedRow,
  type ApprovedRow,
  type ClaimEndRow,
  type DoneRow,
  type FailedRow,
  type LedgerRow,
  type PrRow,
  type StartedRow,
  type VerifiedRow,
} from "./rows.js";

export { canonicalJson, planDigest } from "../plan/plan-digest.js";

/**
 * The reading rules of SPEC §4.1 and §6.1, in one place and pure: every
 * component that asks "is stage 3 done / claimed / ready?" asks here, so the
 * answers cannot drift apart. "Newer" always means later in `ledger.jsonl`
 * (the order the compare-and-swap serialised the writes in), never a
 * comparison of `at` clocks from different machines.
 */

// ── identity and idempotent appends ─────────────────────────────────────────

/** The stage a row is about, if it names exactly one. */
export function rowStage(row: LedgerRow): number | undefined {
  return "stage" in row ? row.stage : undefined;
}

function stageKey(row: LedgerRow): string {
  if (row.status === "pr") return [...row.stages].sort((a, b) => a - b).join(",");
  return String(rowStage(row) ?? "");
}

/** `(run, stage, status)`: two rows with the same identity record the same event. */
export function rowIdentity(row: LedgerRow): string {
  return JSON.stringify([row.run, stageKey(row), row.status]);
}

/**
 * Whether `row`'s identity is already recorded. The search stops at the run's
 * own later `started` for the stage: a run that retries a stage (pilot retry,
 * §6.6) starts a new attempt whose `failed`/`done` must not be mistaken for a
 * replay of the previous attempt's.
 */
function identityRecorded(rows: readonly LedgerRow[], row: LedgerRow): boolean {
  const identity = rowIdentity(row);
  for (let i = rows.length - 1; i >= 0; i--) {
    const earlier = rows[i]!;
    if (rowIdentity(earlier) === identity) return true;
    const attemptBoundary =
      row.status !== "started" &&
      earlier.status === "started" &&
      earlier.run === row.run &&
      stageKey(earlier) === stageKey(row);
    if (attemptBoundary) return false;
  }
  return false;
}

/**
 * The subset of `incoming` that actually changes the ledger: an identity that
 * is already recorded is a no-op (a replayed append), except a reconciliation
 * `done` (SPEC §4.1, §10), which is kept when it moves the stage's effective
 * `done` to another head commit and dropped when it would not change it —
 * and likewise a reconciliation `verified`, which carries a verdict over to
 * a head with the very same tree (a rebase that changed nothing).
 */
export function rowsToAppend(existing: readonly LedgerRow[], incoming: readonly LedgerRow[]): LedgerRow[] {
  const accepted: LedgerRow[] = [];
  for (const row of incoming) {
    const seen = [...existing, ...accepted];
    if (row.status === "done" && isReconciliation(row)) {
      if (lastDone(seen, row.stage)?.headCommit !== row.headCommit) accepted.push(row);
      continue;
    }
    if (row.status === "verified" && isReconciliation(row)) {
      if (lastVerified(seen, row.stage)?.headCommit !== row.headCommit) accepted.push(row);
      continue;
    }
    if (!identityRecorded(seen, row)) accepted.push(row);
  }
  return accepted;
}

// ── per-stage state (last-wins) ─────────────────────────────────────────────

export interface StageState {
  stage: number;
  /** Effective `done`: the stage's last `done` row. */
  done: DoneRow | null;
  /** Effective verdict: the stage's last `verified` row. */
  verdict: VerifiedRow | null;
  /** The verdict was given at the effective done's head (not stale after a reconciliation). */
  verdictCurrent: boolean;
  lastStarted: StartedRow | null;
  /** Last row that ended a claim: done, failed, abandoned, or a cancellation of this stage or the whole task. */
  lastEnd: ClaimEndRow | null;
  /** Last `started` with nothing ending it after, whether or not its lease has run out. */
  open: StartedRow | null;
  /** `open` with a lease still in the future: the stage is claimed (SPEC §4.1). */
  claim: StartedRow | null;
  /** Last `failed` row, for retries and display. */
  failed: FailedRow | null;
  /** Every `pr` row naming the stage, oldest first. */
  prs: PrRow[];
}

function lastDone(rows: readonly LedgerRow[], stage: number): DoneRow | null {
  for (let i = rows.length - 1; i >= 0; i--) {
    const row = rows[i]!;
    if (row.status === "done" && row.stage === stage) return row;
  }
  return null;
}

function lastVerified(rows: readonly LedgerRow[], stage: number): VerifiedRow | null {
  for (let i = rows.length - 1; i >= 0; i--) {
    const row = rows[i]!;
    if (row.status === "verified" && row.stage === stage) return row;
  }
  return null;
}

function emptyStage(stage: number): StageState {
  return {
    stage,
    done: null,
    verdict: null,
    verdictCurrent: false,
    lastStarted: null,
    lastEnd: null,
    open: null,
    claim: null,
    failed: null,
    prs: [],
  };
}

function stagesNamed(row: LedgerRow): number[] {
  if (row.status === "pr") return row.stages;
  const stage = rowStage(row);
  return stage === undefined ? [] : [stage];
}

/**
 * Folds the rows into one state per stage. `stageNumbers` adds stages that
 * have no rows yet (the plan's); stages seen only in rows are included too.
 */
export function deriveStages(rows: readonly LedgerRow[], now: Date, stageNumbers: Iterable<number> = []): StageState[] {
  const states = new Map<number, StageState>();
  const startedAt = new Map<number, number>();
  const endedAt = new Map<number, number>();
  let taskWideEnd: { index: number; row: ClaimEndRow } | null = null;
  const state = (stage: number): StageState => {
    let s = states.get(stage);
    if (!s) states.set(stage, (s = emptyStage(stage)));
    return s;
  };
  for (const n of stageNumbers) state(n);

  rows.forEach((row, index) => {
    if (row.status === "cancelled" && row.stage === undefined) {
      taskWideEnd = { index, row };
      return;
    }
    for (const stage of stagesNamed(row)) {
      const s = state(stage);
      if (row.status === "started") {
        s.lastStarted = row;
        startedAt.set(stage, index);
      } else if (CLAIM_END_STATUSES.has(row.status)) {
        s.lastEnd = row as ClaimEndRow;
        endedAt.set(stage, index);
      }
      if (row.status === "done") s.done = row;
      if (row.status === "failed") s.failed = row;
      if (row.status === "verified") s.verdict = row;
      if (row.status === "pr") s.prs.push(row);
    }
  });

  const wide = taskWideEnd as { index: number; row: ClaimEndRow } | null;
  for (const s of states.values()) {
    let end = endedAt.get(s.stage) ?? -1;
    if (wide && wide.index > end) {
      end = wide.index;
      s.lastEnd = wide.row;
    }
    const started = startedAt.get(s.stage) ?? -1;
    s.open = started > end ? s.lastStarted : null;
    s.claim = s.open && Date.parse(s.open.leaseUntil) > now.getTime() ? s.open : null;
    s.verdictCurrent = s.verdict !== null && s.done !== null && s.verdict.headCommit === s.done.headCommit;
  }
  return [...states.values()].sort((a, b) => a.stage - b.stage);
}

// ── readiness and batches (SPEC §6.1) ───────────────────────────────────────

/** Stages with no effective done, not claimed, whose dependencies all have an effective done; ascending. */
export function readyStages(plan: readonly PlanStageShape[], states: readonly StageState[]): number[] {
  const byStage = new Map(states.map((s) => [s.stage, s]));
  const isDone = (n: number) => byStage.get(n)?.done != null;
  return plan
    .filter((stage) => !isDone(stage.number) && !byStage.get(stage.number)?.claim && stage.dependsOn.every(isDone))
    .map((stage) => stage.number)
    .sort((a, b) => a - b);
}

/**
 * The batch an implementation run takes: ready stages in ascending order while
 * the running sum of their step counts stays within the budget — and always at
 * least one, so a stage larger than the budget is not starved.
 */
export function selectBatch(plan: readonly PlanStageShape[], ready: readonly number[], stepBudget: number): number[] {
  const steps = new Map(plan.map((s) => [s.number, s.steps.length]));
  const batch: number[] = [];
  let total = 0;
  for (const stage of [...ready].sort((a, b) => a - b)) {
    const cost = steps.get(stage) ?? 0;
    if (batch.length > 0 && total + cost > stepBudget) break;
    batch.push(stage);
    total += cost;
  }
  return batch;
}

// ── crash recovery and carry backfill (SPEC §4.1, §10) ──────────────────────

/** One `abandoned` row per stage whose open lease has run out, in the name of the run that held it. */
export function expiredLeaseRows(states: readonly StageState[], now: Date): AbandonedRow[] {
  return states
    .filter((s) => s.open !== null && s.claim === null)
    .map((s) => ({
      at: now.toISOString(),
      run: s.open!.run,
      status: "abandoned" as const,
      stage: s.stage,
      reason: `lease expired at ${s.open!.leaseUntil} without done or failed`,
    }));
}

export interface CarryFile {
  /** Path on the ledger branch, recorded as the row's `carryPath`. */
  path: string;
  carry: CarrySidecar;
}

/**
 * The carry is the source of truth that a stage is done: a complete carry for
 * a stage with no `done` row yields the `done` row the crashed run did not get
 * to append. Partial or failed carries prove nothing and yield nothing.
 */
export function carryBackfillRows(rows: readonly LedgerRow[], carries: readonly CarryFile[], now: Date): DoneRow[] {
  const hasDone = new Set(rows.flatMap((row) => (row.status === "done" ? [row.stage] : [])));
  return carries
    .filter(({ carry }) => carry.status === "complete" && !hasDone.has(carry.stage))
    .sort((a, b) => a.carry.stage - b.carry.stage)
    .map(({ path, carry }) => ({
      at: now.toISOString(),
      run: carry.run,
      status: "done" as const,
      source: "carry-backfill" as const,
      stage: carry.stage,
      headCommit: carry.stageCommitRange.head,
      branch: carry.branch,
      carryPath: path,
    }));
}

// ── plan approval ───────────────────────────────────────────────────────────

/** The effective approval: the last `approved` row. */
export function lastApproval(rows: readonly LedgerRow[]): ApprovedRow | null {
  for (let i = rows.length - 1; i >= 0; i--) {
    const row = rows[i]!;
    if (row.status === "approved") return row;
  }
  return null;
}

/**
 * The plan is approved only if the last approval names its digest — a plan changed after approval is not
 * approved — and, where plan versions are recorded as rows, the last `planned` row names the same plan and
 * comes before that approval: a plan file put back from an earlier approved version is not the current plan.
 */
export function isPlanApproved(rows: readonly LedgerRow[], plan: unknown): boolean {
  if (plan === null || plan === undefined) return false;
  const digest = planDigest(plan);
  let approvedAt = -1;
  let plannedAt = -1;
  rows.forEach((row, i) => {
    if (row.status === "approved") approvedAt = i;
    if (row.status === "planned") plannedAt = i;
  });
  const approval = rows[approvedAt];
  if (approval?.status !== "approved" || approval.planDigest !== digest) return false;
  const planned = rows[plannedAt];
  return planned?.status !== "planned" || (planned.planDigest === digest && plannedAt < approvedAt);
}

// ── group PRs ───────────────────────────────────────────────────────────────

/** The last group PR that covers a stage, ignoring group PRs that were closed without being merged. */
export function coveringGroup(prs: readonly PrRow[], closedGroups: ReadonlySet<number> = new Set()): PrRow | undefined {
  return prs.filter((row) => row.kind === "group" && !closedGroups.has(row.number)).at(-1);
}

// ── everything at once ──────────────────────────────────────────────────────

export interface TaskState {
  /** Rows as stored plus the carry backfill, which every decision counts (SPEC §4.1). */
  effectiveRows: LedgerRow[];
  /** `done` rows implied by complete carries but not stored yet. */
  backfill: DoneRow[];
  stages: StageState[];
  ready: number[];
  /** `abandoned` rows to append for leases that ran out. */
  expired: AbandonedRow[];
  planDigest: string | null;
  approval: { row: ApprovedRow; current: boolean } | null;
}

export function deriveTaskState(input: {
  rows: readonly LedgerRow[];
  plan: unknown;
  planStages: readonly PlanStageShape[] | null;
  carries: readonly CarryFile[];
  now: Date;
}): TaskState {
  const backfill = carryBackfillRows(input.rows, input.carries, input.now);
  const effectiveRows = [...input.rows, ...backfill];
  const stages = deriveStages(effectiveRows, input.now, input.planStages?.map((s) => s.number) ?? []);
  const digest = input.plan === null || input.plan === undefined ? null : planDigest(input.plan);
  const approvalRow = lastApproval(effectiveRows);
  return {
    effectiveRows,
    backfill,
    stages,
    ready: input.planStages ? readyStages(input.planStages, stages) : [],
    expired: expiredLeaseRows(stages, input.now),
    planDigest: digest,
    approval: approvalRow ? { row: approvalRow, current: approvalRow.planDigest === digest } : null,
  };
}
