import { pilotResultSchema, type PilotResult } from "../../workers/results.js";
import type { Workspace } from "../../workspace/workspace.js";
import { invokeWorker } from "../run/invoke-worker.js";
import type { StageOutcome } from "./execute-stage.js";
import type { ImplementationRun } from "./implementation-run.js";

type Failed = Extract<StageOutcome, { status: "failed" }>;

/** Failures worth a second attempt in the same run: not a cancel, a lost lease, or a stage that never ran. */
const NOT_RETRYABLE = new Set([
  "cancelled",
  "lease-lost",
  "dependency-failed",
  "needs-replan",
  "budget-exceeded",
  "push-rejected",
  "git-auth-failed",
  "git-permission-denied",
]);

export interface PilotDecision {
  source: "pilot" | "fallback";
  analysis: string;
  retry: Array<{ stage: number; guidance: string }>;
  skip: Array<{ stage: number; reason: string }>;
  replan: boolean;
  /** Why the pilot's own answer was not used, when `source` is fallback. */
  rejected?: string;
}

/**
 * The pilot at a batch boundary (SPEC §6.6). Runs only when the batch ended
 * with failures and stages remain, so a clean batch costs nothing. Its
 * decision is validated — a stage it names must be one that failed here, and
 * no stage may be both retried and skipped — and on any failure okstra falls
 * back to retrying each failed stage once with its failure log as guidance.
 */
export async function decideAfterBatch(
  run: ImplementationRun,
  workspace: Workspace,
  outcomes: StageOutcome[],
  remaining: number[],
): Promise<PilotDecision | null> {
  const failed = outcomes.filter((o): o is Failed => o.status === "failed" && !NOT_RETRYABLE.has(o.reason));
  if (failed.length === 0 || !run.context.config.pilot) return null;
  const fallback = (rejected: string): PilotDecision => ({
    source: "fallback",
    analysis: "okstra retries each failed stage once with its failure log as guidance.",
    retry: failed.map((f) => ({ stage: f.stage, guidance: failureGuidance(f) })),
    skip: [],
    replan: false,
    rejected,
  });

  const outcome = await invokeWorker(run.context, run.workers, {
    label: "pilot",
    spec: run.context.config.workers.pilot,
    role: "pilot",
    phase: "implementation",
    task: run.taskKey,
    run: run.manifest.id,
    cwd: workspace.dir,
    input: { batch: outcomes.map((o) => o.stage), failures: failed, remaining },
    values: {
      taskKey: run.taskKey,
      issue: { title: run.task.meta.title },
      batch: outcomes.map((o) => `- stage ${o.stage}: ${o.status}`).join("\n"),
      failures: failed
        .map((f) => `### Stage ${f.stage}: ${f.reason}\n\n\`\`\`\n${failureGuidance(f)}\n\`\`\``)
        .join("\n\n"),
      findings: "(verification has not run for this batch)",
      remaining: remaining.length ? remaining.map((s) => `- stage ${s}`).join("\n") : "(none)",
    },
    schema: pilotResultSchema,
  });
  if (outcome.status !== "ok" || !outcome.result)
    return fallback(`the pilot ended ${outcome.status}${outcome.reason ? `: ${outcome.reason}` : ""}`);
  const problem = invalidDecision(outcome.result, new Set(failed.map((f) => f.stage)));
  if (problem) return fallback(`the pilot's decision was rejected: ${problem}`);
  return { source: "pilot", ...outcome.result };
}

export function invalidDecision(decision: PilotResult, failed: ReadonlySet<number>): string | null {
  const named = [...decision.retry.map((r) => r.stage), ...decision.skip.map((s) => s.stage)];
  const unknown = named.filter((stage) => !failed.has(stage));
  if (unknown.length > 0) return `stage ${[...new Set(unknown)].join(", ")} did not fail in this batch`;
  const retried = new Set(decision.retry.map((r) => r.stage));
  const both = decision.skip.filter((s) => retried.has(s.stage)).map((s) => s.stage);
  if (both.length > 0) return `stage ${both.join(", ")} is both retried and skipped`;
  if (retried.size !== decision.retry.length) return "a stage is retried twice";
  return null;
}

function failureGuidance(failure: Failed): string {
  const tails = failure.validation
    .filter((v) => v.exitCode !== 0)
    .map((v) => `$ ${v.command} (exit ${v.exitCode})\n${v.outputTail.slice(-1500)}`);
  return [`The previous attempt failed: ${failure.reason}.`, failure.detail.slice(0, 3000), ...tails].join("\n\n");
}
