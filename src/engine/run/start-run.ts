import type { Ledger } from "../../ledger/ledger.js";
import type { LedgerSnapshot } from "../../ledger/store.js";
import { runManifestSchema, taskMetaSchema, type RunManifest, type RunPhase, type TaskMeta } from "../../ledger/files.js";
import { runFile } from "../../ledger/paths.js";
import { readMeta, readRows, taskPath } from "../../ledger/task-ledger.js";
import type { CommandJob } from "../../jobs/types.js";

/** Run id prefixes (SPEC §1: `<phase>-<seq>`, e.g. `impl-3`). */
export const RUN_PREFIX: Record<RunPhase, string> = {
  planning: "plan",
  implementation: "impl",
  verification: "verify",
  handoff: "ship",
  discovery: "discover",
  "error-analysis": "analyse",
};

/** A second delivery of a comment that already started a run: the run exists, nothing more to do. */
export class DuplicateTriggerError extends Error {
  constructor(readonly runId: string) {
    super(`comment already started run ${runId}`);
    this.name = "DuplicateTriggerError";
  }
}

/** The run a comment started, if any: a job run a second time (its process died) must not start or refuse anything. */
export async function runStartedBy(ledger: Ledger, issue: number, commentId: number): Promise<string | null> {
  const view = await ledger.snapshot();
  for (const { id, manifest } of await readRunManifests(view, issue)) if (manifest?.trigger.commentId === commentId) return id;
  return null;
}

/** Every run directory of the task with its run.json (null when it does not parse). */
async function readRunManifests(view: LedgerSnapshot, issue: number): Promise<Array<{ id: string; manifest: RunManifest | null }>> {
  const runsDir = taskPath(issue, "runs/");
  const runs: Array<{ id: string; manifest: RunManifest | null }> = [];
  for (const path of view.list(runsDir).filter((p) => p.endsWith("/run.json"))) {
    const parsed = runManifestSchema.safeParse(JSON.parse((await view.read(path)) ?? "{}"));
    runs.push({ id: path.slice(runsDir.length).split("/")[0], manifest: parsed.success ? parsed.data : null });
  }
  return runs;
}

export interface StartRunInput {
  issue: number;
  phase: RunPhase;
  job: CommandJob;
  /** Task meta to create when the task is new (the first `/okstra plan`). */
  newTask?: Omit<TaskMeta, "planVersion" | "createdAt">;
  /** Recorded in run.json: what the workers may see (issue body at trigger time, guidance, …). */
  extra?: Record<string, unknown>;
  now: Date;
}

/**
 * Starts a run in one ledger commit: creates the task when it is new,
 * allocates the next `<prefix>-<seq>` id and writes `run.json`. Runs are
 * keyed by their trigger comment, so a redelivered webhook — even one that
 * reaches another process after a restart — finds its run and starts none.
 */
export async function startRun(ledger: Ledger, input: StartRunInput): Promise<RunManifest> {
  const { issue, phase, job, now } = input;
  const prefix = RUN_PREFIX[phase];
  const outcome = await ledger.mutate(async (view) => {
    await readRows(view, issue); // a corrupt ledger refuses every write of the task
    const meta = await readMeta(view, issue);
    const changes = new Map<string, string | null>();
    if (!meta) {
      if (!input.newTask) throw new Error(`task #${issue} has no ledger entry`);
      const created = taskMetaSchema.parse({ ...input.newTask, planVersion: 0, createdAt: now.toISOString() });
      changes.set(taskPath(issue, "task.json"), `${JSON.stringify(created, null, 2)}\n`);
    }

    let highest = 0;
    for (const { id, manifest } of await readRunManifests(view, issue)) {
      if (manifest?.trigger.commentId === job.comment.id) throw new DuplicateTriggerError(id);
      const seq = new RegExp(`^${prefix}-(\\d+)$`).exec(id);
      if (seq) highest = Math.max(highest, Number(seq[1]));
    }

    const manifest = runManifestSchema.parse({
      id: `${prefix}-${highest + 1}`,
      phase,
      trigger: { commentId: job.comment.id, deliveryId: job.deliveryId, actor: job.comment.author, command: job.comment.body.split("\n")[0] },
      status: "running",
      startedAt: now.toISOString(),
      ...input.extra,
    });
    changes.set(taskPath(issue, runFile(manifest.id, "run.json")), `${JSON.stringify(manifest, null, 2)}\n`);
    return { changes, message: `ledger(#${issue}): start ${manifest.id}`, value: manifest };
  });
  return outcome.value;
}
