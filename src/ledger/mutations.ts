import { deriveTaskState, rowsToAppend } from "./derive.js";
import {
  LeaseLostError,
  LedgerInputError,
  LedgerUntrustedError,
  StageClaimedError,
  StageDoneError,
  TaskNotFoundError,
  type ClaimConflict,
} from "./errors.js";
import {
  carrySidecarSchema,
  type PlanStageShape,
  planStagesSchema,
  runManifestSchema,
  taskMetaSchema,
} from "./files.js";
import { appendRowsText, describeIssues } from "./jsonl.js";
import { carryStage, invalidTaskPath, TASK_FILES } from "./paths.js";
import {
  ledgerRowSchema,
  type AbandonedRow,
  type DoneRow,
  type LedgerRow,
  type RowInput,
  type StartedRow,
} from "./rows.js";
import { SIGNATURES_FILE } from "./ledger-signature.js";
import type { LedgerSnapshot } from "./store.js";
import { readCarries, readPlan, readRows, taskPath } from "./task-ledger.js";
import { requireTrusted } from "./trusted-snapshot.js";

/**
 * The ledger's operations as pure mutations: (files at some commit) → (file
 * changes, message, result). Nothing here writes; `Ledger.mutate` applies a
 * mutation with compare-and-swap and, on a lost race, calls it again on the
 * other writer's files. A refusal is thrown and aborts the write.
 */

export interface MutationPlan<T> {
  /** Ledger path → new text, or null to delete. Changes that change nothing are dropped before writing. */
  changes: Map<string, string | null>;
  message: string;
  value: T;
  /** Sign the whole of this task as it stands (an admin's `/okstra adopt`); otherwise only what the changes write is signed. */
  adopt?: number;
}

export type Mutation<T> = (view: LedgerSnapshot) => Promise<MutationPlan<T>>;

/** Fills `at` and validates caller-supplied rows once, before any attempt, so every attempt appends the same rows. */
export function completeRows(rows: readonly RowInput[], now: Date): LedgerRow[] {
  return rows.map((input, i) => {
    const parsed = ledgerRowSchema.safeParse({ ...input, at: input.at ?? now.toISOString() });
    if (!parsed.success) throw new LedgerInputError(`row ${i + 1} (${input.status})`, describeIssues(parsed.error));
    return parsed.data;
  });
}

function describeRows(rows: readonly LedgerRow[]): string {
  return rows
    .map((row) => `${row.status}${"stage" in row && row.stage !== undefined ? ` s${row.stage}` : ""} (${row.run})`)
    .join(", ");
}

/** Appends `rows` (after the rows already stored) as one change to `ledger.jsonl`, or no change when there is nothing new. */
export async function appendChange(
  view: LedgerSnapshot,
  issue: number,
  rows: readonly LedgerRow[],
): Promise<Map<string, string | null>> {
  const changes = new Map<string, string | null>();
  if (rows.length === 0) return changes;
  const { text } = await readRows(view, issue);
  changes.set(taskPath(issue, TASK_FILES.rows), appendRowsText(text, rows));
  return changes;
}

async function requireTask(view: LedgerSnapshot, issue: number): Promise<void> {
  // Reading the rows first means a corrupt ledger.jsonl refuses every mutation of the task.
  await readRows(view, issue);
  const meta = taskPath(issue, TASK_FILES.meta);
  if (!view.has(meta)) throw new TaskNotFoundError(issue);
  // okstra validated task.json when it signed it: checking the signature (by blob id) needs no read of the file itself.
  const problem = await requireTrusted(view).fileProblem(meta);
  if (problem !== null)
    throw new LedgerUntrustedError(issue, [{ file: meta, line: null, problem }], requireTrusted(view).unsigned(meta));
}

export function appendRowsMutation(issue: number, rows: readonly LedgerRow[]): Mutation<{ appended: LedgerRow[] }> {
  return async (view) => {
    await requireTask(view, issue);
    const appended = rowsToAppend((await readRows(view, issue)).rows, rows);
    return {
      changes: await appendChange(view, issue, appended),
      message: `ledger(#${issue}): ${describeRows(appended)}`,
      value: { appended },
    };
  };
}

async function taskState(view: LedgerSnapshot, issue: number, now: Date) {
  const [{ rows }, plan, carries] = await Promise.all([
    readRows(view, issue),
    readPlan(view, issue),
    readCarries(view, issue),
  ]);
  return {
    plan,
    state: deriveTaskState({ rows, plan: plan?.plan ?? null, planStages: plan?.stages ?? null, carries, now }),
  };
}

export interface ClaimRequest {
  run: string;
  stages: number[];
  leaseUntil: string;
  baseCommit: string;
}

export interface ClaimResult {
  /** Stages this call claimed (new `started` rows). */
  claimed: number[];
  /** Stages the run already held (a replayed claim): nothing appended for them. */
  alreadyHeld: number[];
  /** Carry-backfill `done` rows written in the same commit. */
  backfilled: DoneRow[];
  /** `abandoned` rows written for expired leases on the claimed stages. */
  abandoned: AbandonedRow[];
}

/**
 * The claim (SPEC §4.2, §6.1): all requested stages or none, decided on the
 * files this attempt read. Done stages and stages another run holds are
 * refused; the carry backfill and the abandonment of expired leases on these
 * stages go into the same commit, so the claim is recorded on top of the
 * facts it was decided on.
 */
export function claimStagesMutation(issue: number, request: ClaimRequest, now: Date): Mutation<ClaimResult> {
  return async (view) => {
    await requireTask(view, issue);
    const { plan, state } = await taskState(view, issue, now);
    const stages = [...new Set(request.stages)].sort((a, b) => a - b);
    const known = plan ? new Set(plan.stages.map((s) => s.number)) : null;
    const unknown = known ? stages.filter((s) => !known.has(s)) : [];
    if (unknown.length > 0)
      throw new LedgerInputError(`a claim on stage ${unknown.join(", ")}`, "the plan has no such stage");

    const byStage = new Map(state.stages.map((s) => [s.stage, s]));
    const done = stages.map((s) => byStage.get(s)?.done).find((row) => row);
    if (done) throw new StageDoneError(done.stage, done.run, done.headCommit);
    const conflicts: ClaimConflict[] = stages.flatMap((s) => {
      const claim = byStage.get(s)?.claim;
      return claim && claim.run !== request.run ? [{ stage: s, run: claim.run, leaseUntil: claim.leaseUntil }] : [];
    });
    if (conflicts.length > 0) throw new StageClaimedError(conflicts);

    const alreadyHeld = stages.filter((s) => byStage.get(s)?.claim?.run === request.run);
    const claimed = stages.filter((s) => !alreadyHeld.includes(s));
    const abandoned = state.expired.filter((row) => claimed.includes(row.stage));
    const started: StartedRow[] = claimed.map((stage) => ({
      at: now.toISOString(),
      run: request.run,
      status: "started",
      stage,
      leaseUntil: request.leaseUntil,
      ...stageBase(stage, plan?.stages ?? [], byStage, request.baseCommit),
    }));
    const rows = started.length === 0 ? [] : [...state.backfill, ...abandoned, ...started];
    return {
      changes: await appendChange(view, issue, rows),
      message: `ledger(#${issue}): ${request.run} claims stage ${claimed.join(", ")}`,
      value: { claimed, alreadyHeld, backfilled: started.length === 0 ? [] : state.backfill, abandoned },
    };
  };
}

/**
 * Where a claimed stage starts (SPEC §6.1, the `started` row): the
 * implementation base without dependencies, the done head of its one
 * dependency, or — when the base is a merge of several heads, or a dependency
 * is not done yet (it is in the same run) — the stages it will start from,
 * its base commit then recorded on its `done` row.
 */
function stageBase(
  stage: number,
  planStages: readonly PlanStageShape[],
  byStage: ReadonlyMap<number, { done: DoneRow | null }>,
  implementationBase: string,
): { baseCommit: string } | { baseFrom: number[] } {
  const dependsOn = planStages.find((s) => s.number === stage)?.dependsOn ?? [];
  if (dependsOn.length === 0) return { baseCommit: implementationBase };
  const single = dependsOn.length === 1 ? byStage.get(dependsOn[0] as number)?.done : null;
  return single ? { baseCommit: single.headCommit } : { baseFrom: [...dependsOn].sort((a, b) => a - b) };
}

/** A running stage extends its lease (SPEC §6.5); refused once the run no longer holds the stage. */
export function renewLeasesMutation(
  issue: number,
  run: string,
  stages: number[],
  leaseUntil: string,
  now: Date,
): Mutation<{ renewed: number[] }> {
  return async (view) => {
    await requireTask(view, issue);
    const { state } = await taskState(view, issue, now);
    const rows: StartedRow[] = [];
    for (const stage of [...new Set(stages)].sort((a, b) => a - b)) {
      const s = state.stages.find((candidate) => candidate.stage === stage);
      if (!s?.open || s.open.run !== run) {
        const reason = s?.open
          ? `run ${s.open.run} holds it`
          : s?.lastEnd
            ? `it was ${s.lastEnd.status} by ${s.lastEnd.run}`
            : "it was never claimed";
        throw new LeaseLostError(stage, run, reason);
      }
      const { baseCommit, baseFrom } = s.open;
      rows.push({ at: now.toISOString(), run, status: "started", stage, leaseUntil, baseCommit, baseFrom });
    }
    return {
      changes: await appendChange(view, issue, rows),
      message: `ledger(#${issue}): ${run} renews stage ${stages.join(", ")}`,
      value: { renewed: rows.map((r) => r.stage) },
    };
  };
}

/** Crash recovery (SPEC §10): expired leases become `abandoned`, complete carries without `done` are backfilled. */
export function reconcileMutation(
  issue: number,
  now: Date,
): Mutation<{ abandoned: AbandonedRow[]; backfilled: DoneRow[] }> {
  return async (view) => {
    await requireTask(view, issue);
    const { state } = await taskState(view, issue, now);
    const rows = [...state.backfill, ...state.expired];
    return {
      changes: await appendChange(view, issue, rows),
      message: `ledger(#${issue}): reconcile ${describeRows(rows)}`,
      value: { abandoned: state.expired, backfilled: state.backfill },
    };
  };
}

/** Checks a file a caller wants written against the schema of what lives at that path. */
export function validateTaskFile(issue: number, relative: string, text: string | null): void {
  const invalid = invalidTaskPath(relative);
  if (invalid) throw new LedgerInputError(relative, `the path ${invalid}`);
  if (relative === TASK_FILES.rows)
    throw new LedgerInputError(relative, "rows are appended with appendRows, never written whole");
  if (relative === SIGNATURES_FILE) throw new LedgerInputError(relative, "okstra writes its signatures itself");
  if (text === null) return;
  const schema =
    relative === TASK_FILES.meta
      ? taskMetaSchema
      : relative === TASK_FILES.plan
        ? planStagesSchema
        : carryStage(relative) !== null
          ? carrySidecarSchema
          : /^runs\/[^/]+\/run\.json$/.test(relative)
            ? runManifestSchema
            : null;
  if (!schema && !/\.json$/.test(relative)) return;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new LedgerInputError(relative, `not JSON (${(error as Error).message})`);
  }
  if (!schema) return;
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new LedgerInputError(relative, describeIssues(parsed.error));
  const data = parsed.data as Record<string, unknown>;
  if (relative === TASK_FILES.meta && data.issue !== issue)
    throw new LedgerInputError(relative, `issue is ${String(data.issue)}, expected ${issue}`);
  const stage = carryStage(relative);
  if (stage !== null && data.stage !== stage)
    throw new LedgerInputError(relative, `stage is ${String(data.stage)} but the file is for stage ${stage}`);
  const runDir = /^runs\/([^/]+)\/run\.json$/.exec(relative)?.[1];
  if (runDir !== undefined && data.id !== runDir)
    throw new LedgerInputError(relative, `id is ${String(data.id)} but the directory is ${runDir}`);
}

/** Task files (paths relative to `tasks/<N>/`) in one commit; validated before any attempt. */
export function writeFilesMutation(
  issue: number,
  files: Readonly<Record<string, string | null>>,
  message?: string,
): Mutation<{ written: string[] }> {
  for (const [relative, text] of Object.entries(files)) validateTaskFile(issue, relative, text);
  return async (view) => {
    await readRows(view, issue);
    const changes = new Map(
      Object.entries(files).map(([relative, text]) => [taskPath(issue, relative), text] as const),
    );
    return {
      changes,
      message: message ?? `ledger(#${issue}): write ${Object.keys(files).join(", ")}`,
      value: { written: Object.keys(files) },
    };
  };
}

/**
 * Rows and task files in one commit (a run's end: its verdict rows with its
 * report): both validated before any attempt, so every attempt writes the same.
 */
export function appendRowsWithFilesMutation(
  issue: number,
  rows: readonly LedgerRow[],
  files: Readonly<Record<string, string | null>>,
  message: string,
): Mutation<undefined> {
  const appendRows = appendRowsMutation(issue, rows);
  const writeFiles = writeFilesMutation(issue, files);
  return async (view) => {
    const [appended, written] = await Promise.all([appendRows(view), writeFiles(view)]);
    return { changes: new Map([...written.changes, ...appended.changes]), message, value: undefined };
  };
}

/** The stored text of a JSON task file (run.json, task.json, convergence.json…): two-space indented, one final newline. */
export function jsonFileText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
