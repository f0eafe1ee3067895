import { git } from "../../util/git.js";
import type { Logger } from "../../util/log.js";
import type { Workspace } from "../../workspace/workspace.js";
import type { PlanStage } from "../../plan/plan-schema.js";
import { predictedFiles } from "../planning/validator/predicted-files.js";

/** Checks out the stage branch at its base: its one dependency head, or several merged (the first is the start). */
export async function checkoutStageBase(
  workspace: Workspace,
  branch: string,
  heads: string[],
  stage: PlanStage,
  log: Logger,
): Promise<string> {
  await workspace.checkoutNewBranch(branch, heads[0]);
  if (heads.length === 1) return heads[0];
  const deps = stage.dependsOn;
  return workspace.mergeInto(
    branch,
    heads.slice(1).map((ref, i) => ({ ref, message: `merge: stage ${deps[i + 1]}` })),
    { log },
  );
}

/** Commits on the base branch since approval that touch the stage's predicted files, as `sha subject`. */
export async function changedSinceApproval(
  workspace: Workspace,
  baseBranch: string,
  approvedBase: string,
  stage: PlanStage,
): Promise<string[]> {
  const current = await workspace.resolveCommit(baseBranch).catch(() => approvedBase);
  if (current === approvedBase) return [];
  const pathspecs = predictedFiles(stage).map((p) => `:(glob)${p.endsWith("/") ? `${p}**` : p}`);
  const log = await git(["log", "--format=%h %s", `${approvedBase}..${current}`, "--", ...pathspecs], {
    cwd: workspace.dir,
    allowFailure: true,
  });
  return log.stdout.split("\n").filter(Boolean).slice(0, 10);
}
