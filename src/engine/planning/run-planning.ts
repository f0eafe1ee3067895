import { createHash } from "node:crypto";
import type { WorkerSpec } from "../../config/schema.js";
import { isPlanApproved, type RunManifest } from "../../ledger/index.js";
import { renderPlanComment, renderPlanMarkdown } from "../../render/plan-markdown.js";
import { BudgetMeter } from "../../workers/budget.js";
import { withWorkspace } from "../../workspace/workspace.js";
import type { CommandContext } from "../context.js";
import { CommandRefusal } from "../refusal.js";
import { invokeWorker, workerLabel, type RunWorkers } from "../run/invoke-worker.js";
import { runResultFiles, type RunStatus } from "../run/finish-run.js";
import { runLogger } from "../run/run-log.js";
import { DuplicateTriggerError, startRun } from "../run/start-run.js";
import { readTaskSpend } from "../run/task-spend.js";
import { contextBudgetChars } from "./context-budget.js";
import { gatherContext, renderComments, renderContext, snapshotIssue, type IssueSnapshot } from "./gather-context.js";
import { computeGate, planItems, type GateOutcome, type ReviewerAnswers } from "./plan-gate.js";
import { analyserResultSchema, leadResultSchema, planReviewResultSchema, type Plan } from "../../plan/plan-schema.js";
import { persistPlan } from "./persist-plan.js";
import { renderPlanningReport } from "./planning-report.js";
import { formatViolation } from "./validator/violation.js";
import { validatePlan } from "./validator/validate-plan.js";

/**
 * A planning run (SPEC §5.1), for `/okstra plan` and `/okstra replan`:
 * 1. check the task may be (re)planned, snapshot the issue, start the run;
 * 2. gather context from a fresh clone of the base branch;
 * 3. analysis — every analyser drafts a plan on its own;
 * 4. synthesis — the lead merges the drafts;
 * 5. validation — violations go back to the lead, at most `maxFixRounds` times;
 * 6. plan-body verification — every analyser reviews every item → the gate;
 * 7. persist plan.json / plan.md / the run's files in one ledger commit;
 * 8. post the plan comment and the final status.
 * A run that ends early still writes its run files (status, report, workers),
 * and never a plan: nothing half-written.
 */

const PHASES = [
  "Gather context",
  "Analysis",
  "Synthesis",
  "Validation",
  "Plan-body verification",
  "Save the plan",
] as const;

export class PlanningFailure extends Error {
  constructor(
    readonly outcome: string,
    readonly detail: string,
  ) {
    super(`${outcome}: ${detail}`);
    this.name = "PlanningFailure";
  }
}

interface PlanningRun {
  context: CommandContext;
  manifest: RunManifest;
  issue: IssueSnapshot;
  workers: RunWorkers;
  analysers: WorkerSpec[];
  taskKey: string;
}

export async function planCommand(context: CommandContext): Promise<void> {
  const { job, services, config } = context;
  const command = context.command;
  if (command.verb !== "plan" && command.verb !== "replan")
    throw new Error(`planCommand cannot carry out ${command.verb}`);
  const { platform, ledger } = services;
  const now = services.now;
  const issueNumber = job.issueNumber;

  // 1. Preconditions, then the run.
  const task = await ledger.readTask(issueNumber);
  const hasPlan = Boolean(task?.plan);
  if (command.verb === "plan" && hasPlan && task && isPlanApproved(task.rows, task.plan)) {
    throw new CommandRefusal(
      `plan v${task.meta.planVersion} of #${issueNumber} is approved; \`/okstra plan\` never replaces an approved plan.`,
      "To plan again and supersede it, comment `/okstra replan`.",
    );
  }
  if (command.verb === "replan" && !hasPlan) {
    throw new CommandRefusal(`#${issueNumber} has no plan to replace yet.`, "Comment `/okstra plan` to plan it.");
  }
  const base =
    (command.verb === "plan" ? command.base : undefined) ??
    task?.meta.baseBranch ??
    config.baseBranch ??
    (await platform.getDefaultBranch());
  if ((await platform.getBranchHead(base)) === null) {
    throw new CommandRefusal(
      `the base branch \`${base}\` does not exist in this repository.`,
      "Name an existing branch: `/okstra plan --base BRANCH`.",
    );
  }
  const analysers = selectAnalysers(config.workers.analysers, command.verb === "plan" ? command.workers : undefined);

  // The issue as the webhook carried it at the trigger, when it did (SPEC §2); the CLI reads it live.
  const issueInfo = job.issue
    ? { number: issueNumber, ...job.issue, isPullRequest: job.isPullRequest }
    : await platform.getIssue(issueNumber);
  const comments = await platform.listIssueComments(issueNumber);
  const issue = snapshotIssue(
    issueInfo,
    comments,
    { id: job.comment.id, createdAt: job.comment.createdAt },
    isOkstraLogin,
  );

  let manifest: RunManifest;
  try {
    manifest = await startRun(ledger, {
      issue: issueNumber,
      phase: "planning",
      job,
      now: now(),
      newTask: { issue: issueNumber, title: issueInfo.title, baseBranch: base },
      extra: {
        baseBranch: base,
        guidance: context.guidance,
        issueSnapshot: {
          title: issue.title,
          body: issue.body,
          bodyChars: issue.bodyChars,
          bodyTruncated: issue.bodyTruncated,
          comments: issue.comments.length,
        },
        issueBodySha256: createHash("sha256")
          .update(issueInfo.body ?? "")
          .digest("hex"),
      },
    });
  } catch (error) {
    if (error instanceof DuplicateTriggerError) {
      context.log.info({ run: error.runId }, "this comment already started a run; nothing to do");
      return;
    }
    throw error;
  }

  context.run.runId = manifest.id;
  context.log = runLogger(context.log, manifest.id);
  context.run.phases = PHASES.map((name) => ({ name, state: "pending" }));
  context.status.update(context.run);

  // Earlier runs' spend counts toward budgets.taskUsd (SPEC §6.5).
  const spent = await readTaskSpend(ledger, issueNumber);
  const run: PlanningRun = {
    context,
    manifest,
    issue,
    analysers,
    taskKey: `issue-${issueNumber}`,
    workers: { budget: new BudgetMeter(config.budgets, { task: spent }), records: [] },
  };

  try {
    const planned = await withWorkspace(
      {
        remote: () => platform.gitRemote(),
        baseBranch: base,
        runId: `${job.repo.owner}-${job.repo.repo}-${issueNumber}-${manifest.id}`,
        log: context.log,
      },
      (workspace) => planInWorkspace(run, workspace.dir),
    );
    await saveAndAnnounce(run, planned);
  } catch (error) {
    const failure = error instanceof PlanningFailure ? error : null;
    if (!failure) context.log.error({ err: error }, "planning run failed");
    const outcome = failure?.outcome ?? "error";
    const detail = failure?.detail ?? (error instanceof Error ? error.message : String(error));
    await finishWithoutPlan(run, "failed", outcome, detail);
  }
}

interface PlannedResult {
  plan: Plan;
  gate: GateOutcome | null;
  fixRounds: number;
  baseCommit: string;
  warnings: string[];
}

async function planInWorkspace(run: PlanningRun, repoDir: string): Promise<PlannedResult> {
  const { context } = run;
  const { config } = context;

  // 2. Context.
  step(run, 0, "running");
  const baseValues = {
    taskKey: run.taskKey,
    issue: {
      title: run.issue.title,
      body: run.issue.body.trim() || "(the issue has no description)",
      comments: renderComments(run.issue),
    },
    guidance: context.guidance || "(none)",
    stageStepCap: config.planning.stageStepCap,
  };
  const gathered = await gatherContext(
    repoDir,
    run.issue,
    contextBudgetChars(config.planning.contextTokens, baseValues),
  );
  step(run, 0, "done", `${gathered.files.length} files, ${gathered.tree.length} paths`);
  const values = { ...baseValues, context: renderContext(gathered) };
  const input = {
    issue: run.issue,
    guidance: context.guidance,
    context: gathered,
    stageStepCap: config.planning.stageStepCap,
  };
  const common = { phase: "planning" as const, task: run.taskKey, run: run.manifest.id, cwd: repoDir };

  // 3. Analysis: independent drafts, in parallel.
  step(run, 1, "running", `${run.analysers.length} analysers`);
  const drafts = await Promise.all(
    run.analysers.map((spec, index) =>
      invokeWorker(context, run.workers, {
        ...common,
        label: workerLabel("analyser", index, spec),
        spec,
        role: "analyser",
        input,
        values,
        schema: analyserResultSchema,
      }),
    ),
  );
  const usable = drafts.flatMap((outcome, index) =>
    outcome.status === "ok" && outcome.result
      ? [{ worker: workerLabel("analyser", index, run.analysers[index]), plan: outcome.result.plan }]
      : [],
  );
  if (usable.length === 0) {
    step(run, 1, "failed");
    throw new PlanningFailure(
      "no-draft",
      `no analyser produced a draft plan (${drafts.map((d) => `${d.provider}: ${d.status}${d.reason ? ` — ${d.reason}` : ""}`).join("; ")})`,
    );
  }
  step(run, 1, "done", `${usable.length} of ${run.analysers.length} drafts`);

  // 4–5. Synthesis, then validation with bounded fix rounds.
  step(run, 2, "running");
  const draftsText = usable
    .map((d) => `### Draft by ${d.worker}\n\n\`\`\`json\n${JSON.stringify(d.plan, null, 2)}\n\`\`\``)
    .join("\n\n");
  const leadSpec = config.workers.lead;
  const leadLabel = (round: number) =>
    round === 0 ? `lead-${leadSpec.provider}` : `lead-${leadSpec.provider}-fix-${round}`;
  let violationsText = "(none)";
  let previousPlan = "(none)";
  for (let round = 0; ; round++) {
    const lead = await invokeWorker(context, run.workers, {
      ...common,
      label: leadLabel(round),
      spec: leadSpec,
      role: "lead",
      round: round + 1,
      input: {
        ...input,
        drafts: usable,
        violations: round === 0 ? [] : violationsText.split("\n"),
        previousPlan: round === 0 ? null : JSON.parse(previousPlan),
      },
      values: { ...values, drafts: draftsText, violations: violationsText, plan: previousPlan },
      schema: leadResultSchema,
    });
    if (lead.status !== "ok" || !lead.result) {
      step(run, round === 0 ? 2 : 3, "failed");
      throw new PlanningFailure(
        "lead-failed",
        `the lead (${lead.provider}) ended ${lead.status}${lead.reason ? `: ${lead.reason}` : ""}`,
      );
    }
    if (round === 0) step(run, 2, "done");
    step(run, 3, "running", round === 0 ? undefined : `fix round ${round}`);
    const plan = normalisePlan(
      lead.result.plan,
      run,
      usable.map((d) => d.worker),
      leadLabel(0),
    );
    const validation = validatePlan(plan, { stageStepCap: config.planning.stageStepCap });
    if (validation.valid) {
      step(run, 3, "done", round === 0 ? "valid" : `valid after ${round} fix round${round > 1 ? "s" : ""}`);
      // 6. Plan-body verification.
      const gate = config.planning.planBodyVerification ? await reviewPlan(run, plan, values, input, common) : null;
      return {
        plan,
        gate,
        fixRounds: round,
        baseCommit: gathered.baseCommit,
        warnings: validation.warnings.map(formatViolation),
      };
    }
    violationsText = validation.violations.map(formatViolation).join("\n");
    previousPlan = JSON.stringify(plan, null, 2);
    if (round >= config.planning.maxFixRounds) {
      step(run, 3, "failed", `${validation.violations.length} violations after ${round} fix rounds`);
      throw new PlanningFailure(
        "invalid-plan",
        `the plan still breaks the structural rules after ${round} fix round${round === 1 ? "" : "s"}:\n${violationsText}`,
      );
    }
  }
}

async function reviewPlan(
  run: PlanningRun,
  plan: Plan,
  values: Record<string, unknown>,
  input: Record<string, unknown>,
  common: { phase: "planning"; task: string; run: string; cwd: string },
): Promise<GateOutcome> {
  step(run, 4, "running");
  const items = planItems(plan);
  const itemsText = items.map((item) => `- ${item}`).join("\n");
  const outcomes = await Promise.all(
    run.analysers.map((spec, index) =>
      invokeWorker(run.context, run.workers, {
        ...common,
        label: workerLabel("plan-reviewer", index, spec),
        spec,
        role: "plan-reviewer",
        input: { ...input, plan, items },
        values: { ...values, plan: JSON.stringify(plan, null, 2), items: itemsText },
        schema: planReviewResultSchema,
      }),
    ),
  );
  const answers: ReviewerAnswers[] = outcomes.flatMap((outcome, index) =>
    outcome.status === "ok" && outcome.result
      ? [{ reviewer: workerLabel("plan-reviewer", index, run.analysers[index]), reviews: outcome.result.reviews }]
      : [],
  );
  const gate = computeGate(plan, answers, run.analysers.length);
  step(run, 4, gate.result === "passed" || gate.result === "passed-with-dissent" ? "done" : "failed", gate.result);
  return gate;
}

/** okstra, not the lead, decides the plan's identity and provenance. */
function normalisePlan(plan: Plan, run: PlanningRun, analyserLabels: string[], leadLabel: string): Plan {
  const proposed = new Map(plan.provenance.analysers.map((a) => [a.worker, a.proposed]));
  return {
    ...plan,
    taskKey: run.taskKey,
    provenance: {
      ...plan.provenance,
      analysers: analyserLabels.map((worker) => ({ worker, proposed: proposed.get(worker) ?? [] })),
      lead: leadLabel,
      gate: "not-run",
      dissent: [],
    },
  };
}

async function saveAndAnnounce(run: PlanningRun, planned: PlannedResult): Promise<void> {
  const { context, manifest } = run;
  const { services } = context;
  const now = services.now;
  const gate = planned.gate;
  const plan: Plan = {
    ...planned.plan,
    clarifications: [...planned.plan.clarifications, ...(gate?.clarifications ?? [])],
    provenance: {
      ...planned.plan.provenance,
      gate: gate?.result ?? "not-run",
      dissent: gate ? [...gate.dissent, ...gate.supplements] : [],
    },
  };
  const nextCommand = nextCommandFor(plan);
  const status: RunStatus = gate?.result === "aborted-non-result" ? "failed" : "succeeded";
  const outcome = gate ? `plan saved; gate ${gate.result}` : "plan saved; plan-body verification disabled";

  step(run, 5, "running");
  const saved = await persistPlan(
    services.ledger,
    context.job.issueNumber,
    (version) => {
      const versioned = { ...plan, version };
      const markdown = renderPlanMarkdown(versioned, { nextCommand });
      const report = renderPlanningReport({
        plan: versioned,
        manifest,
        gate,
        fixRounds: planned.fixRounds,
        warnings: planned.warnings,
        workers: run.workers.records,
        outcome,
      });
      return {
        plan: versioned,
        markdown,
        runFiles: runResultFiles({
          manifest,
          status,
          finishedAt: now(),
          outcome,
          report,
          workers: run.workers,
          extra: { planVersion: version, gate: gate?.result ?? "not-run", baseCommit: planned.baseCommit },
        }),
      };
    },
    services.now(),
  );
  step(run, 5, "done", `plan v${saved.version}`);

  const planComment = await services.platform.createComment(
    context.job.issueNumber,
    renderPlanComment(
      { ...plan, version: saved.version },
      {
        nextCommand,
        marker: { task: context.job.issueNumber, version: saved.version, digest: saved.digest },
        warnings: planned.warnings,
      },
    ),
  );

  context.run.outcome = status === "succeeded" ? "succeeded" : "failed";
  context.run.finishedAt = now().toISOString();
  context.run.body = [
    `Plan v${saved.version} of #${context.job.issueNumber}: ${plan.stages.length} stage${plan.stages.length === 1 ? "" : "s"}, gate **${gate?.result ?? "not-run"}**${saved.supersededVersion ? ` (supersedes v${saved.supersededVersion})` : ""}.`,
    "",
    `Next: \`${nextCommand}\``,
  ].join("\n");
  context.run.links = [
    ...(planComment.url ? [{ label: "plan", url: planComment.url }] : []),
    { label: "plan.json", url: services.ledger.fileUrl(context.job.issueNumber, "plan.json") },
    { label: "report", url: services.ledger.fileUrl(context.job.issueNumber, `runs/${manifest.id}/report.md`) },
  ];
  await context.status.finish(context.run);
}

/** The exact next command a maintainer types. */
export function nextCommandFor(plan: Plan): string {
  const blocking = plan.clarifications.filter((c) => c.blocks === "approval");
  if (plan.provenance.gate === "aborted-non-result") return "/okstra replan";
  if (blocking.length > 0) return `answer ${blocking.map((c) => c.id).join(", ")} in a comment, then /okstra replan`;
  return "/okstra approve";
}

async function finishWithoutPlan(run: PlanningRun, status: RunStatus, outcome: string, detail: string): Promise<void> {
  const { context, manifest } = run;
  const now = context.services.now;
  for (const phase of context.run.phases) if (phase.state === "running") phase.state = "failed";
  const report = renderPlanningReport({
    plan: null,
    manifest,
    gate: null,
    fixRounds: 0,
    warnings: [],
    workers: run.workers.records,
    outcome: `${outcome}: ${detail}`,
  });
  try {
    await context.services.ledger.writeFiles(
      context.job.issueNumber,
      runResultFiles({
        manifest,
        status,
        finishedAt: now(),
        outcome: `${outcome}: ${detail}`,
        report,
        workers: run.workers,
      }),
      `ledger(#${context.job.issueNumber}): ${manifest.id} ${status}`,
    );
  } catch (error) {
    context.log.error({ err: error }, "could not record the failed planning run");
  }
  context.run.outcome = "failed";
  context.run.finishedAt = now().toISOString();
  context.run.body = `Planning stopped (${outcome}); no plan was saved.\n\n${detail.length > 6000 ? `${detail.slice(0, 6000)}…` : detail}`;
  context.run.links = [
    { label: "report", url: context.services.ledger.fileUrl(context.job.issueNumber, `runs/${manifest.id}/report.md`) },
  ];
  await context.status.finish(context.run);
}

/** `--workers a,b` picks analysers by provider: the configured spec of that provider, else its defaults. */
function selectAnalysers(configured: WorkerSpec[], requested: string[] | undefined): WorkerSpec[] {
  if (!requested) return configured;
  return requested.map((provider) => {
    const match = configured.find((spec) => spec.provider === provider);
    if (match) return match;
    // These two have no defaults to fall back on: a command to run, a server's baseUrl and model.
    if (provider === "command" || provider === "openai-compatible") {
      throw new CommandRefusal(
        `\`--workers ${provider}\` needs a configured \`${provider}\` analyser in \`.github/okstra.yml\`.`,
        "Configure it under `workers.analysers`, or name another provider.",
      );
    }
    return { provider } as WorkerSpec;
  });
}

function step(run: PlanningRun, index: number, state: "running" | "done" | "failed", detail?: string): void {
  const phase = run.context.run.phases[index];
  phase.state = state;
  phase.detail = detail;
  run.context.status.update(run.context.run);
}

function isOkstraLogin(login: string): boolean {
  return login.endsWith("[bot]");
}
