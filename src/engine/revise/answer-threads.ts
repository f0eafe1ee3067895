import { blockModelText } from "../../render/model-text.js";
import type { StageOutcome } from "../implementation/execute-stage.js";
import type { CommandContext } from "../context.js";
import type { Revision } from "./revise-command.js";

/**
 * okstra answers each review thread the revision addressed (SPEC §15.2), in
 * the thread, with the commit that addressed it — but not the thread the
 * command itself was written in, which gets the run status comment already.
 * It does not resolve threads: resolving is the reviewer's call.
 */
export async function answerThreads(
  context: CommandContext,
  revision: Revision,
  outcome: Extract<StageOutcome, { status: "done" }>,
): Promise<number> {
  if (revision.pull === null) return 0;
  const { platform } = context.services;
  const commandThread = context.job.reviewComment?.threadRoot ?? null;
  // The carry keeps the executor's summary as it gave it: only a string is quoted.
  const said = outcome.carry.worker.summary;
  // Model text: quoted with its tags and mentions neutralised, like every model text okstra posts.
  const summary =
    typeof said === "string" && said.trim() ? `\n\n> ${blockModelText(said).replace(/\r?\n/g, "\n> ")}` : "";
  let answered = 0;
  for (const thread of revision.feedback.threads) {
    const root = thread.comments[0];
    if (!root || thread.comments.some((c) => c.id === commandThread)) continue;
    try {
      await platform.replyToReviewComment(
        revision.pull,
        root.id,
        `Addressed in \`${outcome.headCommit.slice(0, 12)}\` by okstra's revise run \`${context.run.runId}\`.${summary}`,
      );
      answered += 1;
    } catch (error) {
      context.log.warn({ err: error, thread: root.id }, "could not answer a review thread");
    }
  }
  return (
    answered +
    (commandThread !== null && revision.feedback.threads.some((t) => t.comments.some((c) => c.id === commandThread))
      ? 1
      : 0)
  );
}
