import type { z } from "zod";
import { deriveTaskState, type CarryFile, type TaskState } from "./derive.js";
import { LedgerCorruptError, type UntrustedEntry } from "./errors.js";
import { carrySidecarSchema, planStagesSchema, taskMetaSchema, type PlanStageShape, type TaskMeta } from "./files.js";
import { describeIssues, parseRows } from "./jsonl.js";
import { carryStage, TASK_FILES, taskDir } from "./paths.js";
import type { LedgerRow } from "./rows.js";
import { checkRows } from "./ledger-signature.js";
import type { LedgerSnapshot } from "./store.js";
import { requireTrusted, type TrustedSnapshot } from "./trusted-snapshot.js";

/**
 * Reading one task out of a ledger snapshot: every file validated, every
 * problem a LedgerCorruptError naming the file (and line), then the derived
 * state. The same readers serve `readTask` and every mutation, so a mutation
 * never decides on something a reader would have refused.
 *
 * Only what okstra signed counts (SPEC §14.5): rows it did not sign are left
 * out of every derivation and reported in `untrusted`; a file it did not
 * sign throws LedgerUntrustedError from the single-file readers, and is left
 * out and reported by `readTaskFrom`.
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
  /** Rows and files okstra did not write, in file order; none of them is in `rows`, `plan`, `carries` or `state`. */
  untrusted: UntrustedEntry[];
  /** Nothing in the task is signed: written before okstra signed its ledger (adopt it with `/okstra adopt`). */
  unsigned: boolean;
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

function parseJsonText(path: string, text: string): { value: unknown } {
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

async function readJsonValue(view: LedgerSnapshot, path: string): Promise<{ value: unknown } | null> {
  const text = await view.read(path);
  return text === null ? null : parseJsonText(path, text);
}

/** A JSON ledger file checked against `schema`: null when absent, LedgerCorruptError (file, line, problem) when it is not what it should be. */
export async function readJson<T>(view: LedgerSnapshot, path: string, schema: z.ZodType<T>): Promise<T | null> {
  const read = await readJsonValue(view, path);
  return read === null ? null : validate(path, read.value, schema);
}

export interface TaskRows {
  /** The rows okstra signed, in file order: the only ones any derivation sees. */
  rows: LedgerRow[];
  text: string | null;
  /** Rows it did not sign, by line. */
  untrusted: UntrustedEntry[];
  /** Whether any row is signed at all (a ledger from before signing has none). */
  anySigned: boolean;
}

export async function readRows(view: LedgerSnapshot, issue: number): Promise<TaskRows> {
  const trusted = requireTrusted(view);
  const path = taskPath(issue, TASK_FILES.rows);
  const text = await trusted.read(path);
  if (text === null) return { rows: [], text, untrusted: [], anySigned: false };
  const parsed = parseRows(text, path);
  const { lines } = checkRows(
    trusted.keys,
    issue,
    parsed.map((p) => p.value),
  );
  return {
    rows: parsed.filter((_, i) => lines[i]!.problem === null).map((p) => p.row),
    text,
    untrusted: lines.flatMap((l) => (l.problem === null ? [] : [{ file: path, line: l.line, problem: l.problem }])),
    anySigned: parsed.some((p) => p.value.mac !== undefined),
  };
}

function validateMeta(issue: number, path: string, value: unknown): TaskMeta {
  const meta = validate(path, value, taskMetaSchema);
  if (meta.issue !== issue) throw new LedgerCorruptError(path, null, `issue is ${meta.issue}, expected ${issue}`);
  return meta;
}

export async function readMeta(view: LedgerSnapshot, issue: number): Promise<TaskMeta | null> {
  const path = taskPath(issue, TASK_FILES.meta);
  const read = await readJsonValue(view, path);
  return read === null ? null : validateMeta(issue, path, read.value);
}

export async function readPlan(
  view: LedgerSnapshot,
  issue: number,
): Promise<{ plan: unknown; stages: PlanStageShape[] } | null> {
  const path = taskPath(issue, TASK_FILES.plan);
  const read = await readJsonValue(view, path);
  if (read === null) return null;
  // The document is kept exactly as stored (the digest is over it); only the structural slice is validated here.
  const { stages } = validate(path, read.value, planStagesSchema);
  return {
    plan: read.value,
    stages: stages.map((s) => ({ number: s.number, dependsOn: s.dependsOn, steps: s.steps })),
  };
}

export async function readCarries(view: LedgerSnapshot, issue: number): Promise<CarryFile[]> {
  const prefix = taskPath(issue, TASK_FILES.carryDir);
  const carries: CarryFile[] = [];
  for (const path of view.list(prefix)) {
    const stage = carryStage(path.slice(taskDir(issue).length + 1));
    if (stage === null) continue;
    const carry = await readJson(view, path, carrySidecarSchema);
    if (carry === null) continue;
    if (carry.stage !== stage)
      throw new LedgerCorruptError(path, null, `stage is ${carry.stage} but the file is for stage ${stage}`);
    carries.push({ path, carry });
  }
  return carries;
}

/**
 * A view on which an untrusted file reads as absent, so the single-file
 * readers above serve both the refusing path and the reporting one.
 */
function collectingView(view: TrustedSnapshot): LedgerSnapshot {
  return {
    commit: view.commit,
    has: (path) => view.has(path),
    list: (prefix) => view.list(prefix),
    blobId: (path) => view.blobId(path),
    read: async (path) => {
      const { text, problem } = await view.readChecked(path);
      return problem === null ? text : null;
    },
  };
}

/** Every file of the task okstra did not sign — run files and reports included — checked by blob id, without reading them. */
async function untrustedFiles(view: TrustedSnapshot, issue: number): Promise<UntrustedEntry[]> {
  const entries: UntrustedEntry[] = [];
  for (const path of view.list(`${taskDir(issue)}/`)) {
    const problem = await view.fileProblem(path);
    if (problem !== null) entries.push({ file: path, line: null, problem });
  }
  return entries;
}

/**
 * The whole task at the snapshot, or null when it has no `task.json`.
 * Untrusted state is left out and listed; a `task.json` okstra did not sign
 * is still returned (the task's title for status) but listed.
 */
export async function readTaskFrom(view: LedgerSnapshot, issue: number, now: Date): Promise<TaskLedger | null> {
  const trusted = requireTrusted(view);
  const metaPath = taskPath(issue, TASK_FILES.meta);
  const metaRead = await trusted.readChecked(metaPath);
  if (metaRead.text === null) return null;
  const files = await untrustedFiles(trusted, issue);
  const meta = validateMeta(issue, metaPath, parseJsonText(metaPath, metaRead.text).value);
  const collecting = collectingView(trusted);
  const [rows, plan, carries] = await Promise.all([
    readRows(trusted, issue),
    readPlan(collecting, issue),
    readCarries(collecting, issue),
  ]);
  const state = deriveTaskState({
    rows: rows.rows,
    plan: plan?.plan ?? null,
    planStages: plan?.stages ?? null,
    carries,
    now,
  });
  const untrusted = [...files, ...rows.untrusted].sort(
    (a, b) => a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0),
  );
  const unsigned = !rows.anySigned && trusted.unsigned(metaPath);
  return {
    issue,
    ledgerCommit: view.commit,
    meta,
    rows: rows.rows,
    plan: plan?.plan ?? null,
    planStages: plan?.stages ?? null,
    carries,
    state,
    untrusted,
    unsigned,
  };
}
