import type { TaskLedger } from "../../ledger/index.js";
import type { Logger } from "../../util/log.js";
import type { EngineServices } from "../context.js";
import { refreshStackBlocks } from "../pull-requests/stage-prs.js";
import { planSchema } from "../../plan/plan-schema.js";
import { inspectStageHeads } from "./inspect-stage-heads.js";
import { carryCheckRun, postHeadMoveNote } from "./publish-head-moves.js";
import { recordHeadMoves, type RecordedMove } from "./record-head-moves.js";

/**
 * Stale-SHA reconciliation and foreign commits (SPEC §10), for one task. Run
 * by `pull_request.synchronize` on a stage PR and before `/okstra implement`,
 * `verify` and `ship` decide anything on stage heads:
 * 1. read the task and, for each done stage that no run holds, where its
 *    branch is now (`inspectStageHeads`);
 * 2. record every move in one ledger commit — `done` at the new head, and for
 *    a head with the same tree the verdict carried over (`recordHeadMoves`);
 * 3. carried verdicts get their check run on the new head;
 * 4. changed content gets a note on the stage PR: old → new head, the
 *    commits, the stale verdict and whether re-verification is running;
 * 5. the stage PRs' navigation blocks, unless a verification that refreshes
 *    them follows for every stale stage.
 * okstra only reads the stage branches here: it never pushes to them, so a
 * commit someone pushed is never lost. A second pass finds nothing to append
 * and says nothing.
 */

export interface ReconcileOptions {
  log: Logger;
  /** Whether the caller verifies this stage right after the pass; `hadVerdict`: a verdict at the old head went stale. */
  reverifying?: (stage: number, hadVerdict: boolean) => boolean;
  /** Who pushed, when a webhook said so. */
  pushedBy?: string;
}

export interface ReconcileOutcome {
  recorded: RecordedMove[];
  /** Stages whose verdict the new content made stale, ascending. */
  stale: number[];
  /** The task as this pass read it, before the moves were recorded (its plan and dependencies are unchanged by them). */
  task?: TaskLedger;
}

export async function reconcileStageHeads(
  services: EngineServices,
  issue: number,
  options: ReconcileOptions,
): Promise<ReconcileOutcome> {
  const { platform, ledger } = services;
  const now = services.now;
  const reverifying = options.reverifying ?? (() => false);
  const log = options.log;

  // 1–2. Observe, then record.
  const task = await ledger.readTask(issue);
  if (!task?.plan) return { recorded: [], stale: [] };
  const recorded = await recordHeadMoves(ledger, issue, await inspectStageHeads(platform, task), now());
  if (recorded.length === 0) return { recorded, stale: [] };
  for (const { move } of recorded)
    log.info(
      { stage: move.stage, from: move.from, to: move.to, change: move.change },
      "stage branch moved; new head recorded",
    );

  // 3–4. Check runs and notes.
  for (const entry of recorded) {
    await carryCheckRun({ platform, ledger, issue, recorded: entry, log });
    await postHeadMoveNote({
      platform,
      issue,
      recorded: entry,
      reverifying: reverifying(entry.move.stage, entry.staleVerdict !== null),
      pushedBy: options.pushedBy,
      log,
    });
  }

  // 5. Navigation blocks.
  const stale = recorded
    .filter((r) => r.staleVerdict !== null)
    .map((r) => r.move.stage)
    .sort((a, b) => a - b);
  const refreshedByVerification =
    stale.length > 0 && recorded.every((r) => r.staleVerdict !== null && reverifying(r.move.stage, true));
  if (!refreshedByVerification) await refreshBlocks(services, issue, log);
  return { recorded, stale, task };
}

/** The rows are written: blocks that cannot be refreshed now are refreshed by the next PR change. */
async function refreshBlocks(services: EngineServices, issue: number, log: Logger): Promise<void> {
  try {
    const task = await services.ledger.readTask(issue);
    if (task?.plan)
      await refreshStackBlocks({ platform: services.platform, task, plan: planSchema.parse(task.plan), log });
  } catch (err) {
    log.warn({ err }, "stack blocks not refreshed after reconciliation");
  }
}
