import type { Context } from "probot";
import { parseOkstraBranch } from "../engine/pull-requests/branch-names.js";
import { eventJobBase } from "./event-job.js";
import type { JobQueue, ReverifyJob } from "../queue/types.js";

/**
 * `check_suite.rerequested`: GitHub's "Re-run all checks" re-requests the
 * App's whole suite on a commit, not one check run, so this is how most
 * people ask for a stage to be verified again. GitHub sends it only to the
 * App whose suite it is. okstra's stage check runs sit on a stage branch's
 * head commit, so the suite's `head_branch` (`okstra/<N>/s<S>`) names the
 * task and stage — no API call here; the job checks the sender's permission
 * and that the stage is still done at that commit, as for a check run.
 */
export function checkSuiteRerequested(queue: JobQueue) {
  return async (context: Context<"check_suite.rerequested">): Promise<void> => {
    const { check_suite: suite, sender } = context.payload;
    const branch = parseOkstraBranch(suite.head_branch ?? "");
    if (branch?.kind !== "stage") return;
    if (context.isBot || sender.type === "Bot") return;

    const job: ReverifyJob = {
      kind: "reverify",
      ...eventJobBase(context),
      issueNumber: branch.task,
      // The suite has no check-run id in its payload; the suite's id stands in as the trigger's id.
      checkRun: { id: suite.id, action: "suite_rerequested", headSha: suite.head_sha, stage: branch.stage, run: "" },
      sender: sender.login,
    };
    const queued = await queue.enqueue(job);
    context.log.info(
      { task: branch.task, stage: branch.stage, checkSuite: suite.id, queued },
      queued ? "re-verification queued" : "duplicate delivery ignored",
    );
  };
}
