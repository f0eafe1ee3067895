import type { CarrySidecar } from "../../ledger/index.js";
import { taskWithStageDone } from "../../ledger/index.js";
import { firstLine } from "../../util/text.js";
import { publishStagePullRequest, refreshStackBlocks, stagePrRow } from "../pull-requests/stage-prs.js";
import { ledgerStacksMemory } from "../pull-requests/stacks-memory.js";
import type { ImplementationRun } from "./implementation-run.js";

/**
 * Records the done stage and its PR (SPEC §7.1): the PR is opened (or
 * updated) from the task as it will read once the stage is done, then the
 * carry, the `done` row and the `pr` row go into one commit; then the
 * navigation block of every stage PR of the task is refreshed. The stage is
 * done whatever happens to its PR: its branch is pushed and its carry written,
 * so a PR that cannot be opened now is reported, and the next run publishes it.
 * Returns what became of the PR, in the status line's words.
 */
export async function publishDoneStage(run: ImplementationRun, carry: CarrySidecar, at: Date): Promise<string> {
  const { context, manifest, plan } = run;
  const { platform, ledger } = context.services;
  const issue = context.job.issueNumber;
  const stage = carry.stage;
  const current = await ledger.readTask(issue);
  if (!current) throw new Error(`task #${issue} left the ledger during the run`);
  const done = { run: manifest.id, carry, now: at };
  let pr: Awaited<ReturnType<typeof publishStagePullRequest>> | null = null;
  let problem = "";
  try {
    const task = taskWithStageDone(current, done);
    const draft = context.config.implementation.draftStagePRs;
    pr = await publishStagePullRequest({ platform, task, plan, stage, draft, log: context.log });
  } catch (error) {
    context.log.error({ err: error, stage }, "could not publish the stage PR");
    problem = firstLine(error instanceof Error ? error.message : String(error));
  }
  const prRow = pr ? [stagePrRow({ run: manifest.id, stage, branch: pr.branch, number: pr.number, url: pr.url })] : [];
  await ledger.recordStageDone(issue, { ...done, with: prRow });
  if (!pr) return `PR not opened yet: ${problem}`;
  try {
    const task = await ledger.readTask(issue);
    // The PRs publish read are still current: only the other stage PRs' blocks may need a write.
    const known = { prs: pr.known, fresh: pr.number };
    if (task)
      await refreshStackBlocks({ platform, task, plan, log: context.log, known, stacks: ledgerStacksMemory(ledger) });
  } catch (error) {
    context.log.error({ err: error, stage }, "could not refresh the stage PRs' navigation");
  }
  context.run.links.push({ label: `stage ${stage} PR #${pr.number}`, url: pr.url });
  return `PR [#${pr.number}](${pr.url}) → \`${pr.baseBranch}\``;
}
