import { basename } from "node:path";
import type { z } from "zod";
import type { WorkerSpec } from "../../config/schema.js";
import type { BudgetMeter } from "../../workers/budget.js";
import { buildWorkerRequest, type RequestParts } from "../../workers/build-request.js";
import { modelFor } from "../../workers/models.js";
import { addUsage, zeroUsage } from "../../workers/usage.js";
import type { WorkerOutcome } from "../../workers/types.js";
import type { CommandContext, EngineServices } from "../context.js";
import type { WorkerLine } from "./run-state.js";
import { countWorker } from "./run-metrics.js";
import { firstLine } from "../../util/text.js";

/** What the ledger keeps of one worker call (`runs/<id>/workers/<label>.json`). */
export interface WorkerRecord {
  label: string;
  role: string;
  provider: string;
  model: string;
  status: WorkerOutcome<unknown>["status"];
  attempts: number;
  reason?: string;
  /** Near-miss corrections and dropped entries of the accepted answer (workers/near-miss.ts). */
  notes?: string[];
  /** Which price the cost was estimated at, when it is not the price table's entry for the model. */
  priceNote?: string;
  usage: WorkerOutcome<unknown>["usage"];
  elapsedMs: number;
  result?: unknown;
  transcriptTail: string;
}

export interface RunWorkers {
  budget: BudgetMeter;
  records: WorkerRecord[];
  signal?: AbortSignal;
}

/**
 * One worker call of a run: renders the request, runs it with the
 * configured deadline and budget, shows it on the status comment while it
 * runs and records its outcome for the ledger. Whatever the outcome, it is
 * returned, never thrown: a phase decides what a failed worker means.
 * Each call is counted once, after its retries, in the engine's metrics.
 */
export async function invokeWorker<T>(
  // Only what a worker call shows and obeys: a verification started by a check run has no comment job.
  context: Pick<CommandContext, "run" | "status" | "config" | "log"> & {
    services: Pick<EngineServices, "metrics" | "workers">;
  },
  workers: RunWorkers,
  call: Omit<RequestParts, "schema"> & { label: string; spec: WorkerSpec; schema: z.ZodType<T>; cwd: string },
): Promise<WorkerOutcome<T>> {
  const line: WorkerLine = {
    role: call.label,
    provider: call.spec.provider,
    model: displayModel(call.spec),
    state: "running",
  };
  context.run.workers.push(line);
  context.status.update(context.run);

  const request = buildWorkerRequest(call);
  const outcome = await context.services.workers.run({
    request,
    spec: call.spec,
    schema: call.schema,
    cwd: call.cwd,
    deadlineMs: context.config.timeouts.workerSeconds * 1000,
    budget: workers.budget,
    signal: workers.signal,
    log: context.log,
  });
  countWorker(context.services.metrics, call.role, outcome);

  line.state = outcome.status === "ok" ? "done" : "failed";
  if (outcome.status !== "ok")
    line.detail = `${outcome.status}${outcome.reason ? `: ${firstLine(outcome.reason, 300)}` : ""}`;
  else if (outcome.notes?.length)
    line.detail = `${outcome.notes.length} near-miss note${outcome.notes.length === 1 ? "" : "s"}: ${firstLine(outcome.notes.join("; "), 300)}`;
  context.run.usage = addUsage(context.run.usage ?? zeroUsage(), outcome.usage);
  context.status.update(context.run);
  workers.records.push({
    label: call.label,
    role: call.role,
    provider: outcome.provider,
    model: outcome.model,
    status: outcome.status,
    attempts: outcome.attempts,
    reason: outcome.reason,
    ...(outcome.notes ? { notes: outcome.notes } : {}),
    ...(outcome.priceNote ? { priceNote: outcome.priceNote } : {}),
    usage: outcome.usage,
    elapsedMs: outcome.elapsedMs,
    result: outcome.result,
    transcriptTail: outcome.transcript.tail.slice(-4000),
  });
  return outcome;
}

/** The model a status line names; for a `command` worker, the program it runs (`planning-worker.mjs`). */
function displayModel(spec: WorkerSpec): string {
  if (spec.provider !== "command" || !spec.command) return modelFor(spec);
  const words = spec.command.split(/\s+/);
  const program = words.find((word, i) => i > 0 && !word.startsWith("-")) ?? words[0];
  return basename(/(^|\/)node$/.test(words[0]) ? program : words[0]);
}

/** A stable, readable label per worker: `analyser-1 (anthropic)`. */
export function workerLabel(role: string, index: number, spec: WorkerSpec): string {
  return `${role}-${index + 1}-${spec.provider}`;
}
