import { runFile, type Ledger } from "../../ledger/index.js";
import type { Platform } from "../../platform/types.js";
import { REVERIFY_ACTION, VERDICT_CONCLUSION } from "../../render/check-run.js";
import { renderCarriedVerdictOutput, renderHeadMoveNote } from "../../render/head-move-note.js";
import type { Logger } from "../../util/log.js";
import { checkRunExternalId, stageCheckName } from "../verification/external-id.js";
import type { RecordedMove } from "./record-head-moves.js";

/**
 * What a recorded move changes on the platform, once the ledger holds it:
 * - same content, with a verdict carried over: if the verdict's run had a
 *   check run for the stage, the same conclusion on the new head, so branch
 *   protection that requires `okstra / stage S` still sees it (one request);
 * - different content: a note on the stage PR (on the issue when the stage
 *   has no PR) naming the old and new heads, the commits, and what happens
 *   to the verdict (one request).
 * The ledger is the truth and is already written: a failure here is logged,
 * never thrown.
 */

export async function carryCheckRun(input: {
  platform: Platform;
  ledger: Ledger;
  issue: number;
  recorded: RecordedMove;
  log: Logger;
}): Promise<void> {
  const { platform, ledger, issue, recorded, log } = input;
  const verdict = recorded.carriedVerdict;
  if (!verdict || !recorded.hadCheckRun) return;
  const { stage, from, to } = recorded.move;
  try {
    await platform.createCheckRun({
      name: stageCheckName(stage),
      headSha: to,
      status: "completed",
      conclusion: VERDICT_CONCLUSION[verdict.verdict],
      // The verdict's own run: Re-verify on this check run verifies the stage again, like on the original.
      externalId: checkRunExternalId({ task: issue, stage, run: verdict.run }),
      output: renderCarriedVerdictOutput({
        stage,
        verdict: verdict.verdict,
        run: verdict.run,
        from,
        to,
        reportUrl: ledger.fileUrl(issue, runFile(verdict.run, "report.md")),
      }),
      actions: [REVERIFY_ACTION],
    });
  } catch (error) {
    log.warn({ err: error, stage, head: to }, "carried-over check run not created");
  }
}

export async function postHeadMoveNote(input: {
  platform: Platform;
  issue: number;
  recorded: RecordedMove;
  reverifying: boolean;
  pushedBy?: string;
  log: Logger;
}): Promise<void> {
  const { platform, issue, recorded, log } = input;
  const { move } = recorded;
  if (move.change === "same-content") return;
  const target = recorded.stagePr?.number ?? issue;
  const body = renderHeadMoveNote({
    task: issue,
    stage: move.stage,
    branch: move.branch,
    from: move.from,
    to: move.to,
    change: move.change,
    commits: move.commits,
    pushedBy: input.pushedBy,
    staleVerdict: recorded.staleVerdict
      ? { verdict: recorded.staleVerdict.verdict, run: recorded.staleVerdict.run }
      : null,
    reverifying: input.reverifying,
    onIssue: recorded.stagePr === null,
  });
  try {
    await platform.createComment(target, body);
  } catch (error) {
    log.warn({ err: error, stage: move.stage, target }, "head-move note not posted");
  }
}
