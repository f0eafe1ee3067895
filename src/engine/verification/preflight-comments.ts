import type { ShipPreflight, TaskLedger } from "../../ledger/index.js";
import { PREFLIGHT_MARKER, renderPreflightComment } from "../../render/ship-preflight.js";
import { redactSecrets } from "../../util/redact.js";
import { stageLogger } from "../run/run-log.js";
import { conflictingStages } from "./ship-preflight.js";
import type { VerificationContext } from "./verification-context.js";

/**
 * The ship preflight on the stage PRs: a stage in a conflict gets one comment
 * saying which stages and paths and what to do, edited in place by later runs;
 * when a later preflight finds it merging again, that comment says so. A stage
 * that neither conflicts now nor did before costs no request. The ledger
 * already holds the result, so a PR that cannot be commented is a note, not fatal.
 */
export async function publishPreflightComments(input: {
  context: VerificationContext;
  task: TaskLedger;
  run: string;
  preflight: ShipPreflight;
  /** The preflight before this run's, to clear what it said. */
  previous: ShipPreflight | null;
  notes: string[];
}): Promise<void> {
  const { context, task, preflight } = input;
  const { platform } = context.services;
  const said = [...conflictingStages(preflight), ...conflictingStages(input.previous)];
  const stages = [...new Set(said)].sort((a, b) => a - b);
  const conflicting = new Set(conflictingStages(preflight));
  for (const stage of stages) {
    const pr = task.state.stages
      .find((s) => s.stage === stage)
      ?.prs.filter((p) => p.kind === "stage")
      .at(-1);
    if (!pr) continue;
    try {
      // Only okstra's own comment is edited: a person can quote the marker, not post as the app.
      const comments = await platform.listIssueComments(pr.number);
      const own = comments.filter((c) => c.author.endsWith("[bot]") && c.body.startsWith(PREFLIGHT_MARKER)).at(-1);
      const body = renderPreflightComment(preflight, stage, input.run);
      if (own) await platform.updateComment(own.id, body);
      else if (conflicting.has(stage)) await platform.createComment(pr.number, body);
    } catch (error) {
      const why = message(error);
      input.notes.push(`the ship preflight could not be stated on stage ${stage}'s PR #${pr.number}: ${why}`);
      stageLogger(context.log, stage).warn({ err: error, pr: pr.number }, "preflight comment not written");
    }
  }
}

function message(error: unknown): string {
  return redactSecrets(error instanceof Error ? error.message.split("\n")[0]! : String(error));
}
