import { deriveTaskState, rowsToAppend } from "./derive.js";
import { carrySidecarSchema, type CarrySidecar } from "./files.js";
import { appendRowsText } from "./jsonl.js";
import { completeRows, type Mutation } from "./mutations.js";
import { carryFile } from "./paths.js";
import { ledgerRowSchema, type DoneRow, type RowInput } from "./rows.js";
import { readRows, taskPath, type TaskLedger } from "./task-ledger.js";

/**
 * A done stage (SPEC §4.1, §6.4) is recorded as its carry and its `done` row
 * in one ledger commit: the carry is the evidence, the row the index, and
 * neither exists without the other. The stage's `pr` row, when its PR is
 * already open, goes into the same commit. A revised stage (SPEC §15.2) is
 * recorded the same way with `source: "revise"`, so every view knows the head
 * moved by review feedback and the verdict given at the old head is stale.
 */

export interface StageDone {
  run: string;
  carry: CarrySidecar;
  now: Date;
  source?: "revise";
  /** Rows recorded in the same commit (the stage's `pr` row). */
  with?: readonly RowInput[];
}

function doneRow(issue: number, done: StageDone): { carry: CarrySidecar; carryPath: string; row: DoneRow } {
  const carry = carrySidecarSchema.parse(done.carry);
  const carryPath = taskPath(issue, carryFile(carry.stage));
  const row = ledgerRowSchema.parse({
    at: done.now.toISOString(),
    run: done.run,
    status: "done",
    ...(done.source ? { source: done.source } : {}),
    stage: carry.stage,
    headCommit: carry.stageCommitRange.head,
    baseCommit: carry.stageCommitRange.base,
    branch: carry.branch,
    carryPath,
  }) as DoneRow;
  return { carry, carryPath, row };
}

export function stageDoneMutation(issue: number, done: StageDone): Mutation<undefined> {
  const { carry, carryPath, row } = doneRow(issue, done);
  const also = completeRows(done.with ?? [], done.now);
  return async (view) => {
    const { rows, text } = await readRows(view, issue);
    const changes = new Map<string, string | null>([[carryPath, `${JSON.stringify(carry, null, 2)}\n`]]);
    const fresh = rowsToAppend(rows, [row, ...also]);
    if (fresh.length > 0) changes.set(taskPath(issue, "ledger.jsonl"), appendRowsText(text, fresh));
    const message = `ledger(#${issue}): ${done.source ?? "done"} s${carry.stage} (${done.run})`;
    return { changes, message, value: undefined };
  };
}

/**
 * The task as it will read once the stage is recorded done: what the stage's
 * PR is rendered from before the one commit that records both.
 */
export function taskWithStageDone(task: TaskLedger, done: StageDone): TaskLedger {
  const { carry, carryPath, row } = doneRow(task.issue, done);
  const rows = [...task.rows, ...rowsToAppend(task.rows, [row])];
  const carries = [...task.carries.filter((c) => c.carry.stage !== carry.stage), { path: carryPath, carry }];
  const state = deriveTaskState({ rows, plan: task.plan, planStages: task.planStages, carries, now: done.now });
  return { ...task, rows, carries, state };
}
