import { PlanChangedError } from "./errors.js";
import { taskMetaSchema } from "./files.js";
import { appendChange, jsonFileText, type Mutation } from "./mutations.js";
import { ledgerRowSchema } from "./rows.js";
import { readMeta, readPlan, readRows, taskPath } from "./task-ledger.js";
import { planDigest } from "../plan/plan-digest.js";
import type { Plan } from "../plan/plan-schema.js";

/**
 * The plan's two writes (SPEC §2, §4): a new plan version, and its approval.
 * The engine decides whether a plan may be saved or approved; these own what
 * each writes, in one commit.
 */

export interface PersistedPlan {
  version: number;
  digest: string;
  supersededVersion: number | null;
}

/** What a planning run stores as plan version `version`: the plan, its markdown and the run's own files. */
export type PlanVersionBuilder = (version: number) => {
  plan: Plan;
  markdown: string;
  runFiles: Record<string, string>;
};

/**
 * A new plan version: the previous `plan.json` is kept as `plan.v<k>.json`, the new one takes version k+1,
 * `plan.md` and the run's files land with it and `task.json` records the version. The version is read on the
 * files of each attempt, so two planning runs can never both claim one version number. A signed `planned` row
 * records which plan is now current (see `plannedRowSchema`).
 */
export function persistPlanMutation(
  issue: number,
  build: PlanVersionBuilder,
  now: Date = new Date(),
): Mutation<PersistedPlan> {
  return async (view) => {
    await readRows(view, issue);
    const meta = await readMeta(view, issue);
    if (!meta) throw new Error(`task #${issue} has no ledger entry`);
    const changes = new Map<string, string | null>();
    const current = await view.read(taskPath(issue, "plan.json"));
    const version = meta.planVersion + 1;
    if (current !== null) changes.set(taskPath(issue, `plan.v${meta.planVersion}.json`), current);

    const { plan, markdown, runFiles } = build(version);
    const stored: Plan = { ...plan, version };
    changes.set(taskPath(issue, "plan.json"), jsonFileText(stored));
    changes.set(taskPath(issue, "plan.md"), markdown);
    changes.set(taskPath(issue, "task.json"), jsonFileText(taskMetaSchema.parse({ ...meta, planVersion: version })));
    for (const [relative, text] of Object.entries(runFiles)) changes.set(taskPath(issue, relative), text);
    const digest = planDigest(stored);
    const planned = ledgerRowSchema.parse({
      at: now.toISOString(),
      run: `plan-${version}`,
      status: "planned",
      planVersion: version,
      planDigest: digest,
    });
    for (const [path, text] of await appendChange(view, issue, [planned])) changes.set(path, text);
    return {
      changes,
      message: `ledger(#${issue}): plan v${version}`,
      value: { version, digest, supersededVersion: current === null ? null : meta.planVersion },
    };
  };
}

export interface PlanApproval {
  /** The digest of the plan the approver was shown. */
  digest: string;
  version: number;
  actor: string;
  /** The implementation base: the base branch's head when the plan was approved. */
  baseCommit: string;
  now: Date;
}

/**
 * The approval: the `approved` row bound to the plan's digest and task.json's implementation base commit.
 * PlanChangedError when the plan on the ledger is no longer the one approved, so a plan replaced meanwhile
 * is never approved by accident.
 */
export function approvePlanMutation(issue: number, approval: PlanApproval): Mutation<undefined> {
  const { digest, version, actor, baseCommit, now } = approval;
  return async (view) => {
    const meta = await readMeta(view, issue);
    const current = await readPlan(view, issue);
    if (!meta || !current || planDigest(current.plan) !== digest) throw new PlanChangedError(issue, digest);
    const row = ledgerRowSchema.parse({
      at: now.toISOString(),
      run: `approve-${version}`,
      status: "approved",
      planDigest: digest,
      actor,
    });
    const changes = await appendChange(view, issue, [row]);
    const approvedMeta = taskMetaSchema.parse({ ...meta, implementationBaseCommit: baseCommit });
    changes.set(taskPath(issue, "task.json"), jsonFileText(approvedMeta));
    return { changes, message: `ledger(#${issue}): approve plan v${version}`, value: undefined };
  };
}
