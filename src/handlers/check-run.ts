import type { Context } from "probot";
import { parseCheckRunTarget } from "../engine/verification/external-id.js";
import { eventJobBase } from "./event-job.js";
import type { JobQueue, ReverifyJob } from "../queue/types.js";

type CheckRunEvent = "check_run.rerequested" | "check_run.requested_action";

/**
 * `check_run.rerequested` (GitHub's "Re-run") and `check_run.requested_action`
 * (okstra's Re-verify button, identifier `reverify`): authenticate → parse →
 * de-duplicate → enqueue, with no API call. Only okstra's stage check runs
 * count — their name and `external_id` (`<task>/<stage>/<run>`) say which
 * stage to verify again; any other check run, any other action and bots are
 * ignored. The sender's permission is checked live in the job.
 */
export function checkRunReverify(queue: JobQueue) {
  return async (context: Context<CheckRunEvent>): Promise<void> => {
    const { payload } = context;
    const { check_run: checkRun, sender } = payload;
    if (payload.action === "requested_action" && payload.requested_action?.identifier !== "reverify") return;
    const target = parseCheckRunTarget(checkRun);
    if (!target) return;
    if (context.isBot || sender.type === "Bot") return;

    const job: ReverifyJob = {
      kind: "reverify",
      ...eventJobBase(context),
      issueNumber: target.task,
      checkRun: {
        id: checkRun.id,
        action: payload.action,
        headSha: checkRun.head_sha,
        stage: target.stage,
        run: target.run,
      },
      sender: sender.login,
    };
    const queued = await queue.enqueue(job);
    context.log.info(
      { task: target.task, stage: target.stage, checkRun: checkRun.id, queued },
      queued ? "re-verification queued" : "duplicate delivery ignored",
    );
  };
}
