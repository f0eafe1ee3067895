import { StageClaimedError, StageDoneError } from "../../ledger/index.js";
import type { RunManifest } from "../../ledger/index.js";
import type { TaskLedger } from "../../ledger/index.js";
import { readApprovedTask } from "../approved-task.js";
import type { CommandContext } from "../context.js";
import { scheduleRecoveryCheck } from "../recovery/schedule.js";
import { CommandRefusal } from "../refusal.js";
import { DuplicateTriggerError, runTrigger } from "../run/start-run.js";
import { recordRefusedRun } from "./finish-implementation.js";
import type { PreparedRun } from "./prepare-run.js";
import { chooseBatch, chooseRetryBatch } from "./select-batch.js";

export interface ClaimedBatch {
  batch: number[];
  manifest: RunManifest;
  /** The task as it read when the batch was chosen. */
  task: TaskLedger;
}

/**
 * Step 2: chooses the batch (the ready set within the step budget, or the one
 * stage asked for), then starts the run and claims the batch in one
 * compare-and-swap commit. A claim lost to another run re-selects from what is
 * left (twice at most, and only for `auto`); a claim refused for good leaves a
 * refused run and answers the user. Returns null for a trigger already handled.
 */
export async function claimBatch(context: CommandContext, prepared: PreparedRun): Promise<ClaimedBatch | null> {
  const { job, services, config, command } = context;
  if (command.verb !== "implement" && command.verb !== "retry")
    throw new Error(`claimBatch cannot carry out ${command.verb}`);
  const requested = command.verb === "implement" ? command.stage : (command.stage ?? "auto");
  const { plan, baseCommit } = prepared.approved;
  const issue = job.issueNumber;
  const pick = command.verb === "retry" ? chooseRetryBatch : chooseBatch;
  let task = prepared.approved.task;
  let batch = pick(task, plan, requested, config.implementation.runStepBudget);
  for (let attempt = 0; ; attempt++) {
    const leaseUntil = new Date(services.now().getTime() + services.leaseMs);
    try {
      const extra = { batch, guidance: context.guidance, baseBranch: task.meta.baseBranch };
      const { manifest } = await services.ledger.startRun(
        { issue, phase: "implementation", trigger: runTrigger(job), now: services.now(), extra },
        { stages: batch, leaseUntil: leaseUntil.toISOString(), baseCommit },
      );
      await scheduleRecoveryCheck(services, issue, leaseUntil, context.log);
      return { batch, manifest, task };
    } catch (error) {
      if (error instanceof DuplicateTriggerError) return null;
      const lostClaim = error instanceof StageClaimedError || error instanceof StageDoneError;
      if (!lostClaim) throw error;
      if (attempt >= 2 || requested !== "auto") {
        await recordRefusedRun(context, batch, error.message);
        throw new CommandRefusal(`${error.message}.`, "`/okstra status` shows who holds which stage.");
      }
      // Another run claimed part of the batch first: choose again from what is left.
      task = (await readApprovedTask(services.ledger, issue)).task;
      batch = pick(task, plan, "auto", config.implementation.runStepBudget);
    }
  }
}
