import type { z } from "zod";
import { deriveTaskState, type CarryFile, type TaskState } from "./derive.js";
import { LedgerCorruptError } from "./errors.js";
import { carrySidecarSchema, planStagesSchema, taskMetaSchema, type PlanStageShape, type TaskMeta } from "./files.js";
import { describeIssues, parseRows } from "./jsonl.js";
import { carryStage, TASK_FILES, taskDir } from "./paths.js";
import type { LedgerRow } from "./rows.js";
import type { LedgerSnapshot } from "./store.js";

/**
 * Reading one task out of a ledger snapshot: every file validated, every
 * problem a LedgerCorruptError naming the file (and line), then the derived
 * state. The same readers serve `readTask` and every mutation, so a mutation
 * never decides on something a reader would have refused.
 */

export interface TaskLedger {
  issue: number;
  /** The ledger commit this was read at (null only for a task that exists nowhere, which readTask never returns). */
  ledgerCommit: string | null;
  meta: TaskMeta;
  /** Rows as stored, validated, in file order. */
  rows: LedgerRow[];
  /** `plan.json` as opaque JSON, or null before planning. */
  plan: unknown;
  planStages: PlanStageShape[] | null;
  carries: CarryFile[];
  /** Derived per-stage state, with the carry backfill counted (SPEC §4.1). */
  state: TaskState;
}

/** Issue numbers of every task in a snapshot, ascending. */
export function listTaskIssues(view: LedgerSnapshot): number[] {
  const issues = view.list("tasks/").map((path) => Number(/^tasks\/(\d+)\//.exec(path)?.[1]));
  return [...new Set(issues.filter((n) => Number.isInteger(n) && n > 0))].sort((a, b) => a - b);
}

export function taskPath(issue: number, relative: string): string {
  return `${taskDir(issue)}/${relative}`;
}

/** 1-based line of a JSON.parse failure, when V8 reports a position. */
function jsonErrorLine(text: string, error: Error): number | null {
  const match = /position (\d+)/.exec(error.message);
  if (!match) return null;
  return text.slice(0, Number(match[1])).split("\n").length;
}

async function readJsonValue(view: LedgerSnapshot, path: string): Promise<{ value: unknown } | null> {
  const text = await view.read(path);
  if (text === null) return null;
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    throw new LedgerCorruptError(path, jsonErrorLine(text, error as Error), `not JSON (${(error as Error).message})`);
  }
}

function validate<T>(path: string, value: unknown, schema: z.ZodType<T>): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new LedgerCorruptError(path, null, describeIssues(parsed.error));
  return parsed.data;
}

async function readJson<T>(view: LedgerSnapshot, path: string, schema: z.ZodType<T>): Promise<T | null> {
  const read = await readJsonValue(view, path);
  return read === null ? null : validate(path, read.value, schema);
}

export async function readRows(view: LedgerSnapshot, issue: number): Promise<{ rows: LedgerRow[]; text: string | null }> {
  const path = taskPath(issue, TASK_FILES.rows);
  const text = await view.read(path);
  return { rows: text === null ? [] : parseRows(text, path), text };
}

export async function readMeta(view: LedgerSnapshot, issue: number): Promise<TaskMeta | null> {
  const path = taskPath(issue, TASK_FILES.meta);
  const meta = await readJson(view, path, taskMetaSchema);
  if (meta && meta.issue !== issue) throw new LedgerCorruptError(path, null, `issue is ${meta.issue}, expected ${issue}`);
  return meta;
}

export async function readPlan(view: LedgerSnapshot, issue: number): Promise<{ plan: unknown; stages: PlanStageShape[] } | null> {
  const path = taskPath(issue, TASK_FILES.plan);
  const read = await readJsonValue(view, path);
  if (read === null) return null;
  // The document is kept exactly as stored (the digest is over it); only the structural slice is validated here.
  const { stages } = validate(path, read.value, planStagesSchema);
  return { plan: read.value, stages: stages.map((s) => ({ number: s.number, dependsOn: s.dependsOn, steps: s.steps })) };
}

export async function readCarries(view: LedgerSnapshot, issue: number): Promise<CarryFile[]> {
  const prefix = taskPath(issue, TASK_FILES.carryDir);
  const carries: CarryFile[] = [];
  for (const path of view.list(prefix)) {
    const stage = carryStage(path.slice(taskDir(issue).length + 1));
    if (stage === null) continue;
    const carry = await readJson(view, path, carrySidecarSchema);
    if (carry === null) continue;
    if (carry.stage !== stage) throw new LedgerCorruptError(path, null, `stage is ${carry.stage} but the file is for stage ${stage}`);
    carries.push({ path, carry });
  }
  return carries;
}

/** The whole task at the snapshot, or null when it has no `task.json`. */
export async function readTaskFrom(view: LedgerSnapshot, issue: number, now: Date): Promise<TaskLedger | null> {
  const meta = await readMeta(view, issue);
  if (meta === null) return null;
  const [{ rows }, plan, carries] = await Promise.all([readRows(view, issue), readPlan(view, issue), readCarries(view, issue)]);
  const state = deriveTaskState({ rows, plan: plan?.plan ?? null, planStages: plan?.stages ?? null, carries, now });
  return { issue, ledgerCommit: view.commit, meta, rows, plan: plan?.plan ?? null, planStages: plan?.stages ?? null, carries, state };
}
