/**
 * Where things live on the ledger branch (SPEC §4). Every path okstra writes
 * is built here, so a layout change is one edit.
 */

export const LEDGER_BRANCH = "okstra/ledger";
export const LEDGER_REF = `refs/heads/${LEDGER_BRANCH}`;

export function taskDir(issue: number): string {
  return `tasks/${issue}`;
}

export const TASK_FILES = {
  meta: "task.json",
  plan: "plan.json",
  planMarkdown: "plan.md",
  rows: "ledger.jsonl",
  carryDir: "carry/",
} as const;

/** Paths relative to the task directory, as `writeFiles` takes them. */
export function carryFile(stage: number): string {
  return `carry/stage-${stage}.json`;
}

export function runFile(run: string, name: "run.json" | "report.md" | "convergence.json" | string): string {
  return `runs/${run}/${name}`;
}

/** The stage number of a carry file name, or null for anything else in `carry/`. */
export function carryStage(relativePath: string): number | null {
  const match = /^carry\/stage-(\d+)\.json$/.exec(relativePath);
  return match ? Number(match[1]) : null;
}

/**
 * A task-relative path must stay inside the task directory: no absolute
 * paths, no `..`, no empty segments. Returns the reason when it does not.
 */
export function invalidTaskPath(relativePath: string): string | null {
  if (relativePath.length === 0) return "is empty";
  if (relativePath.startsWith("/")) return "is absolute";
  const segments = relativePath.split("/");
  if (segments.some((s) => s === "" || s === "." || s === "..")) return "has an empty, `.` or `..` segment";
  return null;
}
