import { jsonFileText, runFile, type RunManifest } from "../../ledger/index.js";
import type { RunWorkers } from "./invoke-worker.js";

export type RunStatus = "succeeded" | "failed" | "refused" | "cancelled";

export interface RunResultFiles {
  manifest: RunManifest;
  status: RunStatus;
  finishedAt: Date;
  /** Why the run ended this way, one line (shown in the report and status). */
  outcome: string;
  report: string;
  /** The run's worker calls and budget; a run that called no worker (ship) has none. */
  workers?: RunWorkers;
  extra?: Record<string, unknown>;
}

/**
 * The files a finished run leaves in `tasks/<N>/runs/<id>/` (SPEC §4):
 * the final run.json, report.md and one JSON per worker. Task-relative
 * paths, ready for `Ledger.writeFiles` or a phase's own mutation, so a run's
 * end is always one commit together with whatever the phase persists.
 */
export function runResultFiles(result: RunResultFiles): Record<string, string> {
  const id = result.manifest.id;
  const records = result.workers?.records ?? [];
  const manifest = {
    ...result.manifest,
    ...result.extra,
    status: result.status,
    outcome: result.outcome,
    finishedAt: result.finishedAt.toISOString(),
    usage: result.workers?.budget.snapshot().run ?? { inputTokens: 0, outputTokens: 0, costUsd: 0 },
    workers: records.map((w) => ({
      label: w.label,
      provider: w.provider,
      model: w.model,
      status: w.status,
      attempts: w.attempts,
    })),
  };
  const files: Record<string, string> = {
    [runFile(id, "run.json")]: jsonFileText(manifest),
    [runFile(id, "report.md")]: result.report.endsWith("\n") ? result.report : `${result.report}\n`,
  };
  for (const worker of records) files[runFile(id, `workers/${worker.label}.json`)] = jsonFileText(worker);
  return files;
}
