import type { PlanStage } from "../plan/plan-schema.js";
import type { CarrySidecar } from "../ledger/files.js";
import { blockModelText, codeSpan, fitTitle, htmlModelText, inlineModelText } from "./model-text.js";
import {
  extractSection,
  fitBodyToLimit,
  normaliseNewlines,
  placeSection,
  renderStackBlock,
  settle,
  STACK_MARKERS,
  STAGE_BODY_END,
  STAGE_BODY_MARKERS,
  STAGE_BODY_START,
  type SectionReplacement,
  type StackEntry,
} from "./stack-block.js";

/**
 * The title and body of a stage PR (SPEC §7.1): what the stage delivers and
 * the evidence that it is done, taken from the plan and the carry sidecar
 * (§6.4), then the navigation block. okstra owns two sections of the body —
 * its description and the block, each between its own markers — so people
 * may write above, between and below them and keep their text.
 *
 * Carry and plan text is written by models and commands, so everything goes
 * through an escaper for where it lands: a stray `|`, `</details>`, code
 * fence or okstra marker must not break the layout or the markers.
 */

export interface StagePrBodyInput {
  plan: { title: string; stages: readonly PlanStage[] };
  stage: number;
  carry: CarrySidecar;
  task: { issue: number };
  /** The carries of the stage's dependencies (the carry-in). */
  dependencies: readonly CarrySidecar[];
  /** Every stage of the task, for the navigation block (stack-prs.ts `stackEntries`). */
  stack: readonly StackEntry[];
}

/** Sections longer than this are collapsed into `<details>`. */
const COLLAPSE_CHARS = 1_500;
const COLLAPSE_LINES = 20;
/** Output tails are already tails; this keeps one noisy command from crowding out the rest. */
const OUTPUT_TAIL_CHARS = 4_000;

export function stagePrTitle(issue: number, stage: Pick<PlanStage, "number" | "title">): string {
  return fitTitle(`Stage ${stage.number}: `, stage.title, ` (#${issue})`);
}

export function renderStagePrBody(input: StagePrBodyInput): { title: string; body: string } {
  const stage = input.plan.stages.find((s) => s.number === input.stage);
  if (!stage) throw new Error(`the plan has no stage ${input.stage}`);
  const block = renderStackBlock(input.stack, stage.number, {
    task: input.task.issue,
    stage: stage.number,
    head: input.carry.stageCommitRange.head,
  });
  const fitted = fitBodyToLimit(`${renderStageSection(input, stage)}\n\n${block}`);
  // Only a block of thousands of stages could fail this; there is no user text yet.
  if (!fitted.ok) throw new Error(`stage ${stage.number} PR body cannot fit: ${fitted.reason}`);
  return { title: stagePrTitle(input.task.issue, stage), body: fitted.body };
}

/**
 * The body a reused PR should get: okstra's description and block from
 * `rendered` put into `current` by the marker rules (a missing description
 * goes on top, a missing block at the end), the user's text kept as it is.
 */
export function mergeStagePrBody(current: string, rendered: string): SectionReplacement {
  const body = normaliseNewlines(current);
  const described = placeSection(body, STAGE_BODY_MARKERS, extractSection(rendered, STAGE_BODY_MARKERS), "prepend");
  if (described.kind === "refused") return described;
  const placed = placeSection(described.body, STACK_MARKERS, extractSection(rendered, STACK_MARKERS), "append");
  const settled = settle(body, placed);
  return settled.kind === "appended" ? { kind: "replaced", body: settled.body } : settled;
}

function renderStageSection(input: StagePrBodyInput, stage: PlanStage): string {
  const { carry } = input;
  const parts = [
    `**Task #${input.task.issue}** · ${inlineModelText(input.plan.title)} · branch ${codeSpan(carry.branch)} at ${sha(carry.stageCommitRange.head)} · run ${codeSpan(carry.run)}`,
    section("Slice value", blockModelText(stage.sliceValue) || "—"),
    section("Acceptance", bullets(stage.acceptance.map(inlineModelText))),
    section(`Steps (${stage.steps.length})`, stage.steps.map(stepLine).join("\n")),
    section("Exit contract", exitContract(stage)),
    section("Validation evidence", validationEvidence(carry)),
    section(
      `Commits (${carry.commits.length})`,
      bullets(carry.commits.map((c) => `${sha(c.sha)} ${inlineModelText(c.subject)}`)),
    ),
    section(
      "Out-of-plan edits",
      carry.outOfPlanEdits.length === 0
        ? "None."
        : bullets(carry.outOfPlanEdits.map((e) => `${codeSpan(e.path)} — ${inlineModelText(e.reason)}`)),
    ),
    section(
      "Placeholders (listed as justified)",
      carry.placeholders.length === 0 ? "None." : bullets(carry.placeholders.map(placeholder)),
    ),
    section("Carry-in", carryIn(input)),
    validationOutput(carry),
  ].filter((part): part is string => part !== null);
  return `${STAGE_BODY_START}\n${neutraliseMarkers(parts.join("\n\n"))}\n${STAGE_BODY_END}`;
}

/** A heading and its content; long content is collapsed so the PR stays readable. */
function section(heading: string, content: string): string {
  const long = content.length > COLLAPSE_CHARS || content.split("\n").length > COLLAPSE_LINES;
  if (!long) return `#### ${heading}\n\n${content}`;
  return `<details><summary><b>${htmlModelText(heading)}</b></summary>\n\n${content}\n\n</details>`;
}

function stepLine(step: PlanStep): string {
  const files = step.files.length > 0 ? ` — ${step.files.map(codeSpan).join(", ")}` : "";
  const command = step.command ? ` — run ${codeSpan(step.command)}` : "";
  return `${step.n}. ${inlineModelText(step.action)}${files}${command} → ${inlineModelText(step.expected)}`;
}
type PlanStep = PlanStage["steps"][number];

function exitContract(stage: PlanStage): string {
  const list = (items: string[]) => (items.length > 0 ? items.map(codeSpan).join(", ") : "—");
  const { files, identifiers, resources } = stage.exitContract;
  return [
    `- **Files:** ${list(files)}`,
    `- **Identifiers:** ${list(identifiers)}`,
    `- **Resources:** ${list(resources)}`,
  ].join("\n");
}

function validationEvidence(carry: CarrySidecar): string {
  if (carry.validation.length === 0) return "No validation commands were recorded.";
  const rows = carry.validation.map(
    (v) =>
      `| ${v.phase} | ${cell(codeSpan(v.command))} | ${v.exitCode === 0 ? "✅" : "❌"} ${v.exitCode} | ${duration(v.durationMs)} |`,
  );
  return ["| phase | command | exit code | duration |", "|---|---|---|---|", ...rows].join("\n");
}

/**
 * Output tails go last and one `<details>` each: they are the bulk of a big
 * body, so the size limit cuts them before the edits and the carry-in.
 */
function validationOutput(carry: CarrySidecar): string | null {
  const tails = carry.validation
    .filter((v) => v.outputTail.trim() !== "")
    .map((v) => {
      const tail = v.outputTail.length > OUTPUT_TAIL_CHARS ? v.outputTail.slice(-OUTPUT_TAIL_CHARS) : v.outputTail;
      const shown =
        tail.length < v.outputTail.length ? ` (last ${OUTPUT_TAIL_CHARS.toLocaleString("en-US")} characters)` : "";
      return `<details><summary>${v.phase} · <code>${htmlModelText(v.command)}</code> · exit ${v.exitCode} · output tail${shown}</summary>\n\n${fence(tail)}\n\n</details>`;
    });
  return tails.length === 0 ? null : `#### Validation output\n\n${tails.join("\n")}`;
}

function carryIn(input: StagePrBodyInput): string {
  if (input.dependencies.length === 0) return "None: this stage starts from the task's base commit.";
  return [...input.dependencies]
    .sort((a, b) => a.stage - b.stage)
    .map((dep) => {
      const exposed = [
        ["files", dep.exposed.files],
        ["identifiers", dep.exposed.identifiers],
        ["endpoints", dep.exposed.endpoints],
      ] as const;
      const listed = exposed
        .filter(([, items]) => items.length > 0)
        .map(([label, items]) => `${label} ${items.map(codeSpan).join(", ")}`);
      return `- **Stage ${dep.stage}**: ${codeSpan(dep.branch)} at ${sha(dep.stageCommitRange.head)}${listed.length > 0 ? ` — exposes ${listed.join("; ")}` : ""}`;
    })
    .join("\n");
}

/** Placeholders are recorded as strings or as `{ path, line, text, justification }`-like objects; show what is there. */
function placeholder(value: unknown): string {
  if (typeof value === "string") return inlineModelText(value);
  if (typeof value !== "object" || value === null) return codeSpan(JSON.stringify(value));
  const record = value as Record<string, unknown>;
  const where =
    typeof record.path === "string"
      ? codeSpan(typeof record.line === "number" ? `${record.path}:${record.line}` : record.path)
      : "";
  const what = ["text", "token", "match"].map((k) => record[k]).find((v): v is string => typeof v === "string");
  const why = ["justification", "reason"].map((k) => record[k]).find((v): v is string => typeof v === "string");
  const parts = [where, what ? codeSpan(what) : "", why ? `— ${inlineModelText(why)}` : ""].filter(Boolean);
  return parts.length > 0 ? parts.join(" ") : codeSpan(JSON.stringify(value));
}

// ── Escaping ────────────────────────────────────────────────────────────────

function duration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1_000;
  return seconds < 60 ? `${seconds.toFixed(1)} s` : `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

function sha(value: string): string {
  return `\`${value.slice(0, 7)}\``;
}

function bullets(items: string[]): string {
  return items.length > 0 ? items.map((i) => `- ${i}`).join("\n") : "—";
}

/** A GFM table cell: `|` is escaped even inside code spans, as GFM requires. */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|");
}

/** A fenced block whose fence is longer than any backtick run in the output, so output cannot end it early. */
function fence(text: string): string {
  const longestRun = Math.max(2, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const ticks = "`".repeat(longestRun + 1);
  return `${ticks}text\n${text.replace(/\n+$/, "")}\n${ticks}`;
}

/**
 * okstra finds its sections by marker text wherever it appears, even inside
 * a code block, so a marker quoted in command output would make the next
 * update refuse. A zero-width space after `okstra` keeps it readable and inert.
 */
function neutraliseMarkers(text: string): string {
  return text.replace(/<!--(\s*)okstra:/g, "<!--$1okstra\u200B:");
}
