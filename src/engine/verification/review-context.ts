import type { CarrySidecar, DoneRow } from "../../ledger/index.js";
import { git } from "../../util/git.js";
import { reviewerStance } from "../../workers/reviewer-stance.js";
import type { PlanStage } from "../../plan/plan-schema.js";
import type { ConvergenceFinding, PreviousAnswer } from "./converge.js";
import type { OwnChecks } from "./own-checks.js";

/**
 * What the verifiers and reviewers are shown (SPEC §9.1): the stage
 * contracts, the diff of each stage, the carry evidence and okstra's own
 * check results — as prompt text for a model and as structured `input` for a
 * `command` worker, built from the same data so they cannot disagree.
 */

/** A done stage under verification. */
export interface VerificationSubject {
  stage: PlanStage;
  done: DoneRow;
  carry: CarrySidecar;
  checks: OwnChecks;
}

export interface StageDiff {
  stage: number;
  base: string;
  head: string;
  text: string;
  truncated: boolean;
}

export interface ReviewContext {
  taskKey: string;
  title: string;
  subjects: readonly VerificationSubject[];
  diffs: readonly StageDiff[];
}

/** Per stage; a larger diff is cut with a notice — the worker can still read every file in its clone. */
export const MAX_DIFF_CHARS = 60_000;

/** `git diff <carry base> <done head>` of each stage, in the verification clone. */
export async function stageDiffs(cwd: string, subjects: readonly VerificationSubject[]): Promise<StageDiff[]> {
  const diffs: StageDiff[] = [];
  for (const { carry, done } of subjects) {
    const base = carry.stageCommitRange.base;
    const { stdout } = await git(
      [
        "-c",
        "core.quotePath=false",
        "diff",
        "--no-color",
        "--no-ext-diff",
        "--no-textconv",
        base,
        done.headCommit,
        "--",
      ],
      { cwd },
    );
    const truncated = stdout.length > MAX_DIFF_CHARS;
    diffs.push({
      stage: done.stage,
      base,
      head: done.headCommit,
      text: truncated ? stdout.slice(0, MAX_DIFF_CHARS) : stdout,
      truncated,
    });
  }
  return diffs;
}

export function verifierRequest(context: ReviewContext): {
  values: Record<string, unknown>;
  input: Record<string, unknown>;
} {
  return { values: commonValues(context), input: commonInput(context) };
}

export function reviewerRequest(
  context: ReviewContext,
  ask: {
    round: number;
    findings: readonly ConvergenceFinding[];
    previous: readonly PreviousAnswer[];
    adversarial: boolean;
  },
): { values: Record<string, unknown>; input: Record<string, unknown> } {
  const { round, findings, previous, adversarial } = ask;
  return {
    values: {
      ...commonValues(context),
      round,
      stance: reviewerStance(adversarial),
      findings: findingsText(findings, previous),
    },
    input: { ...commonInput(context), round, adversarial, findings, previous },
  };
}

function commonValues(context: ReviewContext): Record<string, unknown> {
  return {
    taskKey: context.taskKey,
    issue: { title: context.title },
    stages: context.subjects.map(stageText).join("\n\n"),
    diff: context.diffs.map(diffText).join("\n\n"),
    carries: context.subjects.map(carryText).join("\n\n"),
    checks: context.subjects.map(checksText).join("\n\n"),
  };
}

function commonInput(context: ReviewContext): Record<string, unknown> {
  return {
    taskKey: context.taskKey,
    issue: { title: context.title },
    stages: context.subjects.map(({ stage, done, carry }) => ({
      ...stage,
      branch: done.branch,
      baseCommit: carry.stageCommitRange.base,
      headCommit: done.headCommit,
    })),
    diffs: context.diffs,
    carries: context.subjects.map((s) => s.carry),
    checks: context.subjects.map((s) => s.checks),
  };
}

const list = (items: readonly string[]) => (items.length > 0 ? items.map((i) => `- ${i}`).join("\n") : "(none)");

function stageText({ stage, done }: VerificationSubject): string {
  return [
    `### Stage ${stage.number} · ${stage.title}`,
    `Branch \`${done.branch}\` at \`${done.headCommit}\`.`,
    "",
    `**Slice value:** ${stage.sliceValue}`,
    "",
    "**Acceptance:**",
    list(stage.acceptance),
    "",
    "**Steps:**",
    stage.steps
      .map((s) => `${s.n}. ${s.action} — files: ${s.files.join(", ") || "(none)"} — expect: ${s.expected}`)
      .join("\n"),
    "",
    `**Exit contract:** files ${stage.exitContract.files.join(", ") || "(none)"}; identifiers ${stage.exitContract.identifiers.join(", ") || "(none)"}; resources ${stage.exitContract.resources.join(", ") || "(none)"}`,
    `**Validation:** post ${stage.validation.post.map((c) => `\`${c}\``).join(", ") || "(none)"}`,
  ].join("\n");
}

function diffText(diff: StageDiff): string {
  const notice = diff.truncated
    ? `\n_(cut at ${MAX_DIFF_CHARS.toLocaleString("en-US")} characters: read the rest in your working directory)_`
    : "";
  return `### Stage ${diff.stage}: \`git diff ${diff.base.slice(0, 12)} ${diff.head.slice(0, 12)}\`\n\n\`\`\`diff\n${diff.text.trimEnd() || "(empty)"}\n\`\`\`${notice}`;
}

function carryText({ carry }: VerificationSubject): string {
  const placeholders = carry.placeholders as Array<{ path?: string; line?: number; justified?: boolean }>;
  return [
    `### Stage ${carry.stage} carry (run \`${carry.run}\`)`,
    "Commits:",
    list(carry.commits.map((c) => `\`${c.sha.slice(0, 12)}\` ${c.subject}`)),
    `Exposed files: ${carry.exposed.files.join(", ") || "(none)"}; identifiers: ${carry.exposed.identifiers.join(", ") || "(none)"}`,
    "Out-of-plan edits:",
    list(carry.outOfPlanEdits.map((e) => `${e.path} — ${e.reason}`)),
    "Placeholders:",
    list(placeholders.map((p) => `${p.path}:${p.line}${p.justified ? " (justified)" : ""}`)),
    `Executor summary: ${typeof carry.worker.summary === "string" ? carry.worker.summary : "(none)"}`,
  ].join("\n");
}

function checksText({ checks, carry }: VerificationSubject): string {
  const tails = carry.validation
    .filter((v) => v.exitCode !== 0)
    .map((v) => `Output of \`${v.command}\` (exit ${v.exitCode}):\n\`\`\`\n${v.outputTail.slice(-2000)}\n\`\`\``);
  return [
    `### Stage ${checks.stage}`,
    "Failed:",
    list(checks.failed),
    "Waived:",
    list(checks.waived),
    "Passed:",
    list(checks.passed),
    ...tails,
  ].join("\n");
}

/** Each finding, and — when the reviewer is asked again — why its last answer did not count. */
function findingsText(findings: readonly ConvergenceFinding[], previous: readonly PreviousAnswer[]): string {
  const earlier = new Map(previous.map((p) => [p.findingId, p]));
  return findings
    .map((f) =>
      [
        `### ${f.id} · stage ${f.stage} · ${f.severity} · ${f.category}`,
        f.claim,
        "Evidence:",
        list(f.evidence.map((e) => `\`${e.path}:${e.line}\` — \`${e.quote}\``)),
        ...(earlier.has(f.id)
          ? [
              `_Your round ${earlier.get(f.id)!.round} answer was DISAGREE without evidence, which does not count: cite the \`path:line\` that refutes it, or AGREE / SUPPLEMENT._`,
            ]
          : []),
      ].join("\n"),
    )
    .join("\n\n");
}
