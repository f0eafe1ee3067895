import type { RunManifest } from "../../ledger/index.js";
import { renderVerifyingOutput } from "../../render/check-run.js";
import { redactSecrets } from "../../util/redact.js";
import { BudgetMeter } from "../../workers/budget.js";
import { withWorkspace } from "../../workspace/workspace.js";
import { runLogger } from "../run/run-log.js";
import { DuplicateTriggerError } from "../run/start-run.js";
import { readTaskSpend } from "../run/task-spend.js";
import { completeCheckRuns, finishVerification } from "./finish-verification.js";
import { publishStagePrs } from "./publish-stage-prs.js";
import { reviewBatch } from "./review-batch.js";
import { acceptedMembers, shipPreflight } from "./ship-preflight.js";
import { StageCheckRuns } from "./stage-check-runs.js";
import { startVerificationRun } from "./start-verification.js";
import type { StageVerdict } from "./verdict.js";
import type { VerificationContext } from "./verification-context.js";
import { VerificationDisplay } from "./verification-display.js";
import {
  noVerdict,
  type VerificationFindings,
  type VerificationRequest,
  type VerificationRun,
} from "./verification-run.js";

/**
 * A verification run (SPEC §9), for `/okstra verify`, `verification.autoVerify`
 * and a re-requested stage check run. The caller chose the stages and read
 * their evidence (`verificationSubjects`); then:
 * 1. start the run (run.json) — a trigger seen before starts nothing;
 * 2. check runs `okstra / stage S` in progress on each stage head, stack blocks ⏳ verifying;
 * 3–6. in a read-only clone: the diffs, independent review, convergence, verdicts (`reviewBatch`),
 *      then the ship preflight: do the task's accepted stages merge together (`shipPreflight`);
 * 7–9. one ledger commit, then check runs, stage PRs and the status (`finishVerification`).
 * A run that stops in 3–6 still records itself (no verdict) and closes its
 * check runs; one that cannot record itself closes them before it fails.
 */

export type { VerificationRequest } from "./verification-run.js";

export interface VerificationOutcome {
  run: string;
  verdicts: StageVerdict[];
}

const STEPS = ["Independent review", "Convergence", "Verdicts"] as const;

export async function runVerification(
  context: VerificationContext,
  request: VerificationRequest,
): Promise<VerificationOutcome | null> {
  const { services } = context;
  const now = services.now;
  const stages = request.subjects.map((s) => s.stage.number);

  let manifest: RunManifest;
  try {
    manifest = await startVerificationRun(services.ledger, {
      issue: context.issue,
      trigger: request.trigger,
      stages,
      now: now(),
    });
  } catch (error) {
    if (!(error instanceof DuplicateTriggerError)) throw error;
    context.log.info({ run: error.runId }, "this trigger already started a verification run; nothing to do");
    return null;
  }
  context.log = runLogger(context.log, manifest.id);
  const display = new VerificationDisplay(context, request.embedded);
  display.begin(manifest.id, [...STEPS, ...request.subjects.map((s) => `Stage ${s.stage.number} · ${s.stage.title}`)]);
  const run: VerificationRun = {
    context,
    request,
    manifest,
    display,
    workers: {
      budget: new BudgetMeter(context.config.budgets, { task: await readTaskSpend(services.ledger, context.issue) }),
      records: [],
    },
    checkRuns: new StageCheckRuns(services.platform, context.issue, manifest.id, context.log),
  };

  const verifiers = context.config.workers.verifiers.length;
  await run.checkRuns.start(
    request.subjects.map((s) => ({
      stage: s.stage.number,
      headSha: s.done.headCommit,
      output: renderVerifyingOutput({ stage: s.stage.number, run: manifest.id, verifiers }),
    })),
  );
  const notes: string[] = [];
  await publishStagePrs({
    context,
    task: request.task,
    plan: request.plan,
    verifying: new Set(stages),
    verdicts: [],
    notes,
  });

  const found = await reviewInClone(run);
  found.notes.unshift(...notes);
  try {
    await finishVerification(run, found);
  } catch (error) {
    // The verdicts may not be on the ledger: no check run may stay "in progress" or show one.
    await completeCheckRuns(
      run,
      noVerdict(`the run could not be recorded: ${message(error)}`),
      services.ledger.fileUrl(context.issue, `runs/${manifest.id}/report.md`),
    );
    throw error;
  }
  return { run: manifest.id, verdicts: found.verdicts };
}

async function reviewInClone(run: VerificationRun): Promise<VerificationFindings> {
  const { context, request, manifest } = run;
  try {
    return await withWorkspace(
      {
        remote: () => context.services.platform.gitRemote(),
        baseCommit: request.subjects[0]!.done.headCommit,
        runId: `${context.repo.owner}-${context.repo.repo}-${context.issue}-${manifest.id}`,
        log: context.log,
      },
      async (workspace) => {
        const found = await reviewBatch(run, workspace);
        const baseCommit = request.task.meta.implementationBaseCommit;
        if (found.noVerdict || !baseCommit) return found;
        const members = acceptedMembers(request.task, request.subjects, found.verdicts);
        try {
          return { ...found, preflight: await shipPreflight(workspace, { run: manifest.id, baseCommit, members }) };
        } catch (error) {
          // The verdicts stand without it: the run says the preflight is missing, and the last one stays on the ledger.
          context.log.warn({ err: error }, "ship preflight failed");
          return { ...found, notes: [...found.notes, `the ship preflight could not run: ${message(error)}`] };
        }
      },
    );
  } catch (error) {
    context.log.error({ err: error }, "verification run stopped");
    return noVerdict(`the run stopped: ${message(error)}`);
  }
}

function message(error: unknown): string {
  // Shown on the issue and the check runs: never let a credential from an error message through.
  return redactSecrets(error instanceof Error ? error.message : String(error));
}
