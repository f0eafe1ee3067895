import { authoriseAndLoadConfig } from "../../config/load.js";
import type { ReverifyJob } from "../../jobs/types.js";
import { renderRefusal } from "../../render/reply.js";
import { childLogger } from "../../util/log.js";
import { redactSecrets } from "../../util/redact.js";
import type { EngineServices } from "../context.js";
import type { CommandOutcome } from "../execute-command.js";
import { CommandRefusal } from "../refusal.js";
import { newRunState } from "../run/run-state.js";
import { StatusComment } from "../run/status-comment.js";
import { runVerification } from "./run-verification.js";
import { requireDoneStage, requirePlan, verificationSubjects } from "./select-stages.js";
import type { VerificationContext } from "./verification-context.js";

/**
 * A re-requested stage check run, once it is off the queue — the check-run
 * counterpart of `executeCommand`:
 * 1. authorise the sender live (`write` before the configuration is read);
 * 2. load the configuration and hold the sender to its `minimumPermission`;
 * 3. refuse an invalid configuration;
 * 4. re-verify that one stage, which must still be done, in a run with its
 *    own status comment on the task's issue.
 * There is no comment to react to or reply under: a refusal is a comment on
 * the task's issue that names the check run.
 */
export async function executeReverify(job: ReverifyJob, services: EngineServices): Promise<CommandOutcome> {
  const { platform } = services;
  const { checkRun } = job;
  const log = childLogger(services.log, { task: job.issueNumber, deliveryId: job.deliveryId, checkRun: checkRun.id, stage: checkRun.stage });
  const commandLine = `Re-verify stage ${checkRun.stage}`;
  const refuse = async (problem: string, instead?: string): Promise<CommandOutcome> => {
    await platform.createComment(job.issueNumber, renderRefusal(checkRun.id, `${commandLine} (check run okstra / stage ${checkRun.stage}, requested by @${job.sender})`, problem, instead));
    log.info({ problem }, "re-verification refused");
    return { result: "refused", reason: problem };
  };

  // Authorised before the configuration is read (SPEC §2): a stranger cannot make okstra parse the file.
  const access = await authoriseAndLoadConfig(platform, job.sender, { commandWorkers: services.commandWorkers });
  if (!access.authorised) {
    return refuse(`@${job.sender} has \`${access.permission}\` permission on this repository; re-verifying a stage needs \`${access.required}\` or higher.`, "Ask a maintainer with that permission to re-run the check.");
  }
  const { config } = access;
  if (!config.ok) return refuse(`\`.github/okstra.yml\` on the default branch is invalid: ${config.problems.map((p) => `\`${p.path || "."}\` ${p.message}`).join("; ")}.`);

  const now = services.now ?? (() => new Date());
  const context: VerificationContext = {
    issue: job.issueNumber,
    repo: job.repo,
    commandLine,
    config: config.config,
    services,
    log,
    status: new StatusComment(platform, job.issueNumber, { minIntervalMs: services.statusIntervalMs, now: services.now, rateLimitWaits: services.rateLimitWaits }, (err) => context.log.warn({ err }, "status comment update failed")),
    // The status marker's trigger is the check run: there is no comment.
    run: newRunState(commandLine, checkRun.id, now()),
  };
  try {
    const { task, plan } = requirePlan(await services.ledger.readTask(job.issueNumber), job.issueNumber);
    const stages = requireDoneStage(task, plan, checkRun.stage);
    await runVerification(context, {
      task,
      plan,
      subjects: verificationSubjects(task, plan, stages),
      trigger: { kind: "check-run", checkRunId: checkRun.id, action: checkRun.action, deliveryId: job.deliveryId, actor: job.sender },
      embedded: false,
    });
  } catch (error) {
    if (error instanceof CommandRefusal) return refuse(error.problem, error.instead);
    context.log.error({ err: error }, "re-verification failed");
    const reason = redactSecrets(error instanceof Error ? error.message : String(error));
    Object.assign(context.run, { outcome: "failed", body: `okstra hit an error and stopped: ${reason}`, finishedAt: now().toISOString() });
    await context.status.finish(context.run).catch((err: unknown) => context.log.error({ err }, "could not write the final status"));
    return { result: "failed", reason };
  }
  return context.run.outcome === "failed" ? { result: "failed", reason: context.run.body?.split("\n")[0] ?? "the run failed" } : { result: "carried-out", commentId: context.status.id };
}
