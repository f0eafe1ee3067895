import { startVerificationRunMutation, type Ledger, type RunManifest } from "../../ledger/index.js";

/**
 * Starts a verification run (`verify-<n>`) in one ledger commit. Unlike the
 * other phases it has three kinds of trigger, each de-duplicated by what
 * identifies it:
 * - `comment` — `/okstra verify`: one run per comment;
 * - `after-implementation` — `verification.autoVerify`: one run per
 *   implementation run (its trigger comment already started that run);
 * - `check-run` — a re-requested check run or its Re-verify button: one run
 *   per webhook delivery, since every click is a new delivery and no comment exists;
 * - `branch-moved` — new content on a stage branch made verdicts stale
 *   (`pull_request.synchronize`, SPEC §10): one run per webhook delivery.
 */

export type VerificationTrigger =
  | { kind: "comment"; commentId: number; deliveryId: string; actor: string; command: string }
  | {
      kind: "after-implementation";
      commentId: number;
      deliveryId: string;
      actor: string;
      command: string;
      implementationRun: string;
    }
  | {
      kind: "check-run";
      checkRunId: number;
      action: "rerequested" | "requested_action" | "suite_rerequested";
      deliveryId: string;
      actor: string;
    }
  | { kind: "branch-moved"; branch: string; deliveryId: string; actor: string };

export async function startVerificationRun(
  ledger: Ledger,
  input: { issue: number; trigger: VerificationTrigger; stages: number[]; now: Date; extra?: Record<string, unknown> },
): Promise<RunManifest> {
  const { trigger, ...rest } = input;
  const start = {
    ...rest,
    trigger: manifestTrigger(trigger),
    sameTrigger: (recorded: Record<string, unknown>) => sameTrigger(recorded, trigger),
  };
  return (await ledger.mutate(startVerificationRunMutation(start))).value;
}

/** run.json's `trigger`: the fields every run has (a check-run trigger has no comment: `commentId` 0), plus the kind. */
function manifestTrigger(trigger: VerificationTrigger): Record<string, unknown> {
  if (trigger.kind === "check-run") {
    const event =
      trigger.action === "suite_rerequested"
        ? `check_suite.rerequested (check suite ${trigger.checkRunId})`
        : `check_run.${trigger.action} (okstra / stage check run ${trigger.checkRunId})`;
    return { ...trigger, commentId: 0, command: event };
  }
  if (trigger.kind === "branch-moved")
    return { ...trigger, commentId: 0, command: `pull_request.synchronize (new commits on ${trigger.branch})` };
  return { ...trigger };
}

function sameTrigger(recorded: Record<string, unknown>, trigger: VerificationTrigger): boolean {
  if (recorded.kind !== trigger.kind) return false;
  switch (trigger.kind) {
    case "comment":
      return recorded.commentId === trigger.commentId;
    case "after-implementation":
      return recorded.implementationRun === trigger.implementationRun;
    case "check-run":
    case "branch-moved":
      return trigger.deliveryId !== "" && recorded.deliveryId === trigger.deliveryId;
  }
}
