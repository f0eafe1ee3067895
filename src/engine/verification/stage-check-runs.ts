import type { CheckConclusion, CheckRunOutput, Platform } from "../../platform/types.js";
import { REVERIFY_ACTION } from "../../render/check-run.js";
import { childLogger, type Logger } from "../../util/log.js";
import { redactSecrets } from "../../util/redact.js";
import { checkRunExternalId, stageCheckName } from "./external-id.js";

/**
 * The check runs `okstra / stage S` of one verification run (SPEC §8): one per
 * stage, on the stage's head commit, created `in_progress` when the run starts
 * and completed with the verdict. The platform has no "find check run", so the
 * ids live here and in run.json. A check run that cannot be created does not
 * stop the verification — the verdict in the ledger is what counts — but the
 * failure is kept and shown in the report and the status comment.
 */

export interface StageCheckRun {
  stage: number;
  headSha: string;
  externalId: string;
  id?: number;
  url?: string;
  /** Why it could not be created or completed. */
  error?: string;
}

export class StageCheckRuns {
  private readonly runs = new Map<number, StageCheckRun>();

  constructor(
    private readonly platform: Platform,
    private readonly task: number,
    private readonly run: string,
    private readonly log: Logger,
  ) {}

  get all(): StageCheckRun[] {
    return [...this.runs.values()].sort((a, b) => a.stage - b.stage);
  }

  async start(stages: ReadonlyArray<{ stage: number; headSha: string; output: CheckRunOutput }>): Promise<void> {
    for (const { stage, headSha, output } of stages) {
      const entry: StageCheckRun = {
        stage,
        headSha,
        externalId: checkRunExternalId({ task: this.task, stage, run: this.run }),
      };
      this.runs.set(stage, entry);
      try {
        const created = await this.platform.createCheckRun({
          name: stageCheckName(stage),
          headSha,
          status: "in_progress",
          externalId: entry.externalId,
          output,
          actions: [REVERIFY_ACTION],
        });
        entry.id = created.id;
        if (created.url) entry.url = created.url;
      } catch (error) {
        entry.error = `the check run could not be created: ${message(error)}`;
        this.logFor(stage).warn({ err: error }, "stage check run not created");
      }
    }
  }

  async complete(stage: number, conclusion: CheckConclusion, output: CheckRunOutput): Promise<void> {
    const entry = this.runs.get(stage);
    if (entry?.id === undefined) return;
    try {
      await this.platform.updateCheckRun(entry.id, {
        status: "completed",
        conclusion,
        output,
        actions: [REVERIFY_ACTION],
      });
    } catch (error) {
      entry.error = `the check run could not be completed: ${message(error)}`;
      this.logFor(stage).warn({ err: error, checkRun: entry.id }, "stage check run not completed");
    }
  }

  /** The run's logger for one stage's check run; a binding the logger already carries is not repeated. */
  private logFor(stage: number): Logger {
    return childLogger(this.log, { run: this.run, stage });
  }
}

/** Kept in run.json and shown on the issue: an HTTP error may quote the request, credentials included. */
function message(error: unknown): string {
  return redactSecrets(error instanceof Error ? error.message : String(error));
}
