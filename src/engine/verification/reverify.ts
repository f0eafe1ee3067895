import type { ReverifyJob } from "../../jobs/types.js";
import { renderRefusal } from "../../render/reply.js";
import { childLogger } from "../../util/log.js";
import { type EngineServiceOptions, engineServices } from "../context.js";
import { authorisedRun, type CommandOutcome, type RunRequest } from "../run/authorised-run.js";
import { newRunState } from "../run/run-state.js";
import { StatusComment } from "../run/status-comment.js";
import { runVerification } from "./run-verification.js";
import { requireDoneStage, requirePlan, verificationSubjects } from "./select-stages.js";
import type { VerificationContext } from "./verification-context.js";

/**
 * A re-requested stage check run, once it is off the queue, inside the same authorised-run pipeline as a
 * comment (run/authorised-run.ts): the sender is authorised live and held to `minimumPermission`, an
 * invalid configuration is refused, then that one stage, which must still be done, is re-verified in a
 * run with its own status comment on the task's issue. There is no comment to react to or reply under:
 * a refusal is a comment on the task's issue that names the check run.
 */
export async function executeReverify(job: ReverifyJob, options: EngineServiceOptions): Promise<CommandOutcome> {
  const services = engineServices(options);
  const { platform } = services;
  const { checkRun } = job;
  const log = childLogger(services.log, {
    task: job.issueNumber,
    deliveryId: job.deliveryId,
    checkRun: checkRun.id,
    stage: checkRun.stage,
  });
  const commandLine = `Re-verify stage ${checkRun.stage}`;
  const request: RunRequest = {
    actor: job.sender,
    issue: job.issueNumber,
    needs: "re-verifying a stage needs",
    askInstead: "Ask a maintainer with that permission to re-run the check.",
    again: "re-run the check",
    log,
    postRefusal: async (problem, instead) => {
      const asked = `${commandLine} (check run okstra / stage ${checkRun.stage}, requested by @${job.sender})`;
      await platform.createComment(job.issueNumber, renderRefusal(checkRun.id, asked, problem, instead));
    },
  };
  return authorisedRun(services, request, async (config) => {
    const statusOptions = {
      minIntervalMs: services.statusIntervalMs,
      now: services.now,
      rateLimitWaits: services.rateLimitWaits,
    };
    const context: VerificationContext = {
      issue: job.issueNumber,
      repo: job.repo,
      commandLine,
      config,
      services,
      log,
      status: new StatusComment(platform, job.issueNumber, statusOptions, (err) =>
        log.warn({ err }, "status comment update failed"),
      ),
      // The status marker's trigger is the check run: there is no comment.
      run: newRunState(commandLine, checkRun.id, services.now()),
    };
    const execute = async () => {
      const { task, plan } = requirePlan(await services.ledger.readTask(job.issueNumber), job.issueNumber);
      const stages = requireDoneStage(task, plan, checkRun.stage);
      await runVerification(context, {
        task,
        plan,
        subjects: verificationSubjects(task, plan, stages),
        trigger: {
          kind: "check-run",
          checkRunId: checkRun.id,
          action: checkRun.action,
          deliveryId: job.deliveryId,
          actor: job.sender,
        },
        embedded: false,
      });
    };
    return { log, status: context.status, run: context.run, execute };
  });
}
