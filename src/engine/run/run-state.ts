/**
 * What a run status comment shows (SPEC §8), as data. The engine updates this
 * object as a run advances; `render/run-status.ts` turns it into markdown.
 */

export type StepState = "pending" | "running" | "done" | "failed" | "skipped";
export type RunOutcome = "running" | "succeeded" | "failed" | "refused" | "cancelled" | "abandoned";

export interface PhaseStep {
  name: string;
  state: StepState;
  detail?: string;
}

export interface WorkerLine {
  role: string;
  provider: string;
  model?: string;
  state: StepState;
  detail?: string;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export interface RunLink {
  label: string;
  url: string;
}

export interface RunState {
  /** The command line as the user typed it, e.g. `/okstra status`. */
  command: string;
  /** The ledger run id (`plan-1`, `impl-3`), absent for commands that start no run. */
  runId?: string;
  /** The comment that triggered the run; the status comment's marker carries it so it can be found again. */
  triggerCommentId: number;
  outcome: RunOutcome;
  phases: PhaseStep[];
  workers: WorkerLine[];
  startedAt: string;
  finishedAt?: string;
  usage?: Usage;
  /** The answer or the report excerpt, markdown. */
  body?: string;
  links: RunLink[];
}

export function newRunState(command: string, triggerCommentId: number, now: Date, phases: string[] = []): RunState {
  return {
    command,
    triggerCommentId,
    outcome: "running",
    phases: phases.map((name) => ({ name, state: "pending" })),
    workers: [],
    startedAt: now.toISOString(),
    links: [],
  };
}
