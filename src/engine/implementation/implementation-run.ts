import type { CarrySidecar, RunManifest, TaskLedger } from "../../ledger/index.js";
import type { CommandContext } from "../context.js";
import type { Plan, PlanStage } from "../../plan/plan-schema.js";
import type { RunWorkers } from "../run/invoke-worker.js";
import type { LeaseKeeper } from "./lease-keeper.js";
import type { PilotDecision } from "./pilot.js";

/** Everything the stages of one implementation run share. */
export class ImplementationRun {
  /** Carries of done stages: from the ledger at the start, plus the ones this run completes. */
  readonly carries = new Map<number, CarrySidecar>();
  private readonly attempts = new Map<number, number>();
  /** What the pilot decided at the batch boundary, when it ran. */
  pilot: PilotDecision | null = null;

  constructor(
    readonly context: CommandContext,
    readonly manifest: RunManifest,
    readonly task: TaskLedger,
    readonly plan: Plan,
    readonly workers: RunWorkers,
    readonly keeper: LeaseKeeper,
    readonly baseBranch: string,
  ) {
    for (const file of task.carries) this.carries.set(file.carry.stage, file.carry);
  }

  /** Where a stage without dependencies starts: the base commit recorded when the plan was approved. */
  get baseCommit(): string {
    const commit = this.task.meta.implementationBaseCommit;
    if (!commit)
      throw new Error(`task #${this.task.issue} has no implementation base commit: its plan was never approved`);
    return commit;
  }

  get signal(): AbortSignal {
    return this.keeper.signal;
  }

  get taskKey(): string {
    return `issue-${this.context.job.issueNumber}`;
  }

  /** `""` for a stage's first attempt in this run, `-retry-1` for the pilot's retry, so worker records never overwrite each other. */
  attemptSuffix(stage: number): string {
    const n = this.attempts.get(stage) ?? 0;
    this.attempts.set(stage, n + 1);
    return n === 0 ? "" : `-retry-${n}`;
  }

  carryIn(stage: PlanStage): CarrySidecar[] {
    return stage.dependsOn.flatMap((dep) => (this.carries.has(dep) ? [this.carries.get(dep)!] : []));
  }

  carryInText(stage: PlanStage): string {
    const carries = this.carryIn(stage);
    if (carries.length === 0) return "(this stage has no dependencies)";
    return carries
      .map(
        (c) =>
          `Stage ${c.stage} on \`${c.branch}\` at \`${c.stageCommitRange.head}\`: files ${c.exposed.files.join(", ") || "(none)"}; identifiers ${c.exposed.identifiers.join(", ") || "(none)"}`,
      )
      .join("\n");
  }
}
