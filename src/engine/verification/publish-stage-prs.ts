import type { TaskLedger } from "../../ledger/index.js";
import { redactSecrets } from "../../util/redact.js";
import { stageLogger } from "../run/run-log.js";
import type { VerificationContext } from "./verification-context.js";
import { refreshStackBlocks } from "../pull-requests/stage-prs.js";
import type { Plan } from "../../plan/plan-schema.js";
import type { StageVerdict } from "./verdict.js";

/**
 * What verification changes on the stage PRs (SPEC §7.1, §9.5): a PR whose
 * stage is verified `accepted` leaves draft and is ready for review; every
 * stage PR's navigation block shows the stages being verified (⏳) and then
 * their verdicts. A blocked or conditionally accepted stage's PR is left as
 * it is — draft until accepted. The verdict is already on the ledger when this
 * runs, so a PR that cannot be updated is reported in `notes`, not fatal.
 */
export async function publishStagePrs(input: {
  context: VerificationContext;
  task: TaskLedger;
  plan: Pick<Plan, "stages">;
  verifying: ReadonlySet<number>;
  verdicts: readonly StageVerdict[];
  notes: string[];
}): Promise<void> {
  const { context, task, notes } = input;
  const { platform } = context.services;
  for (const { stage } of input.verdicts.filter((v) => v.verdict === "accepted")) {
    const row = task.state.stages
      .find((s) => s.stage === stage)
      ?.prs.filter((p) => p.kind === "stage")
      .at(-1);
    if (!row) continue;
    try {
      const pr = await platform.getPullRequest(row.number);
      if (pr.state === "open" && pr.draft) await platform.setDraft(pr.number, false);
    } catch (error) {
      notes.push(`stage ${stage}'s PR #${row.number} could not be marked ready for review: ${message(error)}`);
      stageLogger(context.log, stage).warn({ err: error, pr: row.number }, "stage PR not marked ready");
    }
  }
  try {
    await refreshStackBlocks({ platform, task, plan: input.plan, log: context.log, verifying: input.verifying });
  } catch (error) {
    notes.push(`the stage PRs' navigation blocks could not be refreshed: ${message(error)}`);
    context.log.warn({ err: error }, "stack blocks not refreshed");
  }
}

/** Shown on the issue and kept in the report: an HTTP error may quote the request, credentials included. */
function message(error: unknown): string {
  return redactSecrets(error instanceof Error ? error.message.split("\n")[0]! : String(error));
}
