import type { Dissent, GateResult, Plan, PlanStage } from "../plan/plan-schema.js";
import { blockModelText, codeSpan, htmlModelText, inlineModelText } from "./model-text.js";

/**
 * The plan for humans (SPEC §8), written to `plan.md` and posted as the plan
 * comment. It is rendered from plan.json and never parsed back, so it can
 * favour readability: tables, a Mermaid DAG, one collapsible block per stage.
 *
 * Worker text lands inside tables, HTML and Mermaid, so every field goes
 * through the escaper for where it lands: a stray `|`, `</details>` or `"`
 * from a model must not break the layout.
 */

/** GitHub's limit for an issue comment body. */
export const PLAN_MARKDOWN_LIMIT = 65_536;

export interface PlanGateView {
  result: GateResult;
  dissent: Dissent[];
}

export interface PlanMarkdownOptions {
  /** The plan-body verification outcome; defaults to the plan's provenance. */
  gate?: PlanGateView;
  /** The exact command the maintainer should write next, e.g. `/okstra approve`. */
  nextCommand: string;
  /** Defaults to PLAN_MARKDOWN_LIMIT. */
  maxChars?: number;
}

export function renderPlanMarkdown(plan: Plan, options: PlanMarkdownOptions): string {
  const gate = options.gate ?? { result: plan.provenance.gate, dissent: plan.provenance.dissent };
  const maxChars = options.maxChars ?? PLAN_MARKDOWN_LIMIT;
  const head = [header(plan, gate.result), optionsSection(plan), stageMap(plan), "### Stages\n"].join("\n");
  const tail = [
    coverageSection(plan),
    risksSection(plan),
    gateSection(gate),
    clarificationSection(plan),
    provenanceLine(plan),
  ]
    .filter(Boolean)
    .join("\n");
  const next = `\n---\n**Next:** \`${options.nextCommand}\`\n`;
  return fitToLimit(plan, { head, stages: plan.stages.map(stageDetails), tail, next }, maxChars);
}

/**
 * The plan comment: okstra's marker line, then the plan fitted into what is
 * left of GitHub's comment limit — the marker counts against it too.
 */
export function renderPlanComment(
  plan: Plan,
  options: PlanMarkdownOptions & {
    marker: { task: number; version: number; digest: string };
    warnings?: readonly string[];
  },
): string {
  const marker = `<!-- okstra:plan ${JSON.stringify(options.marker)} -->\n`;
  // The validator's warnings (S12) are short and few, and are what the reader weighs before approving: they are kept whole.
  const warnings = renderPlanWarnings(options.warnings ?? []);
  const maxChars = (options.maxChars ?? PLAN_MARKDOWN_LIMIT) - marker.length - warnings.length;
  return marker + renderPlanMarkdown(plan, { ...options, maxChars }) + warnings;
}

// ── Size limit ──────────────────────────────────────────────────────────────

interface Parts {
  head: string;
  stages: string[];
  tail: string;
  next: string;
}

/**
 * Stages are the bulk of a big plan, so they give way first: as many as fit
 * are kept, in order, and a notice names the ones left out and where the
 * full plan is. The next command always survives, because it is what the
 * reader has to act on.
 */
function fitToLimit(plan: Plan, parts: Parts, maxChars: number): string {
  const join = (stages: string[], notice: string): string =>
    [parts.head, ...stages, notice, parts.tail, parts.next].filter(Boolean).join("\n");
  const full = join(parts.stages, "");
  if (full.length <= maxChars) return full;

  const kept: string[] = [];
  const noticeFor = (from: number): string =>
    from < plan.stages.length
      ? truncationNotice(
          plan,
          `stages ${plan.stages[from].number}–${plan.stages.at(-1)!.number} are not shown`,
          maxChars,
        )
      : "";
  // Slack for the notice naming a longer stage number than stage 1.
  const reserve = noticeFor(0).length + 16;
  let used = join([], "").length + reserve;
  for (const block of parts.stages) {
    if (used + block.length + 1 > maxChars) break;
    kept.push(block);
    used += block.length + 1;
  }
  const candidate = join(kept, noticeFor(kept.length));
  if (candidate.length <= maxChars) return candidate;
  return hardCut(plan, candidate, parts.next, maxChars);
}

/**
 * Last resort when even the plan without stages is too long (a huge summary
 * or clarification table): cut the text, close what the cut left open, and
 * keep the notice and the next command.
 */
function hardCut(plan: Plan, text: string, next: string, maxChars: number): string {
  const notice = truncationNotice(plan, "the rest of the plan is not shown", maxChars);
  const closers = "\n```\n</details>\n";
  let body = text.slice(0, Math.max(0, maxChars - notice.length - next.length - closers.length - 4));
  if ((body.match(/```/g) ?? []).length % 2 === 1) body += "\n```";
  if ((body.match(/<details>/g) ?? []).length > (body.match(/<\/details>/g) ?? []).length) body += "\n</details>";
  return `${body}\n\n${notice}\n${next}`;
}

function truncationNotice(plan: Plan, what: string, maxChars: number): string {
  const issue = plan.taskKey.replace(/^issue-/, "");
  return `> [!WARNING]\n> **Truncated:** ${what} — this text is limited to ${maxChars.toLocaleString("en-US")} characters. The full plan is \`tasks/${issue}/plan.json\` on branch \`okstra/ledger\`.\n`;
}

// ── Sections ────────────────────────────────────────────────────────────────

const GATE_LABEL: Record<GateResult, string> = {
  passed: "✅ passed — every analyser agreed with every plan item",
  "passed-with-dissent": "✅ passed with dissent — minority objections are kept in the dissent log",
  "blocked-by-disagreement":
    "⛔ blocked by disagreement — a majority disagreed with an item; answer the clarifications that block approval",
  "aborted-non-result": "⚠️ aborted — too few analysers answered to judge the plan",
  "not-run": "◻️ not run",
};

function header(plan: Plan, gate: GateResult): string {
  const steps = plan.stages.reduce((sum, s) => sum + s.steps.length, 0);
  const facts = [
    `\`${plan.taskKey}\``,
    plural(plan.stages.length, "stage"),
    plural(steps, "step"),
    `gate: ${GATE_LABEL[gate].split(" — ")[0]}`,
  ];
  return [
    `## 📋 Plan v${plan.version}: ${inlineModelText(plan.title)}`,
    "",
    facts.join(" · "),
    "",
    blockModelText(plan.summary),
    "",
  ].join("\n");
}

function optionsSection(plan: Plan): string {
  const rows = plan.options.map((o) => {
    const star = o.id === plan.recommendedOption ? "⭐" : "";
    return `| ${star} | **${cell(o.id)}** ${cell(o.title)} | ${cell(o.description)} | ${cell(o.tradeoffs)} |`;
  });
  const recommended = plan.options.find((o) => o.id === plan.recommendedOption);
  const pick = recommended
    ? `option **${inlineModelText(recommended.id)}** — ${inlineModelText(recommended.title)}`
    : `option **${inlineModelText(plan.recommendedOption)}**`;
  return [
    "### Options",
    "",
    "| | Option | Description | Trade-offs |",
    "|---|---|---|---|",
    ...rows,
    "",
    `**Recommended:** ${pick}`,
    "",
  ].join("\n");
}

/** The stage DAG; an edge runs from a stage to the stages that depend on it. */
export function stageMapMermaid(plan: Plan): string {
  const known = new Set(plan.stages.map((s) => s.number));
  const lines = ["graph TD"];
  for (const s of plan.stages) {
    lines.push(
      `  S${s.number}["${mermaidLabel(`Stage ${s.number} · ${shorten(s.title, 60)} · ${plural(s.steps.length, "step")}`)}"]`,
    );
  }
  const edges = new Set<string>();
  for (const s of plan.stages) {
    for (const dep of s.dependsOn) if (known.has(dep) && dep !== s.number) edges.add(`  S${dep} --> S${s.number}`);
  }
  return [...lines, ...edges].join("\n");
}

function stageMap(plan: Plan): string {
  return ["### Stage map", "", "```mermaid", stageMapMermaid(plan), "```", ""].join("\n");
}

function stageDetails(stage: PlanStage): string {
  const deps = stage.dependsOn.length > 0 ? stage.dependsOn.join(", ") : "none";
  const summary = `<b>Stage ${stage.number} · ${htmlModelText(stage.title)}</b> — ${plural(stage.steps.length, "step")} · depends on: ${deps}`;
  const steps = stage.steps.map(
    (s) =>
      `| P-${stage.number}.${s.n} | ${cell(s.action)} | ${cell(list(s.files.map(codeSpan)))} | ${s.command ? cell(codeSpan(s.command)) : "—"} | ${cell(s.expected)} |`,
  );
  const { files, identifiers, resources } = stage.exitContract;
  const lines = [
    "<details>",
    `<summary>${summary}</summary>`,
    "",
    `**Slice value:** ${inlineModelText(stage.sliceValue) || "—"}`,
    "",
    "**Acceptance**",
    "",
    ...bullets(stage.acceptance.map((a) => `☐ ${inlineModelText(a)}`)),
    "",
    "**Steps**",
    "",
    "| Item | Action | Files | Command | Expected |",
    "|---|---|---|---|---|",
    ...steps,
    "",
    "**Exit contract**",
    "",
    `- files: ${list(files.map(codeSpan))}`,
    `- identifiers: ${list(identifiers.map(codeSpan))}`,
    `- resources: ${list(resources.map(inlineModelText))}`,
    "",
    "**Validation**",
    "",
    ...(["pre", "mid", "post"] as const).map((phase) => `- ${phase}: ${list(stage.validation[phase].map(codeSpan))}`),
    "",
    `**Rollback:** ${inlineModelText(stage.rollback) || "—"}`,
  ];
  if (stage.tddExemption) lines.push("", `**TDD exemption:** ${inlineModelText(stage.tddExemption)}`);
  lines.push("", "</details>", "");
  return lines.join("\n");
}

function coverageSection(plan: Plan): string {
  const known = new Set(plan.stages.map((s) => s.number));
  const rows = plan.requirements.map((r) => {
    const stages = [
      ...new Set(plan.requirementCoverage.filter((row) => row.requirement === r.id).flatMap((row) => row.stages)),
    ]
      .filter((n) => known.has(n))
      .sort((a, b) => a - b);
    return `| ${cell(r.id)} | ${cell(r.text)} | ${stages.length > 0 ? stages.join(", ") : "⚠️ none"} |`;
  });
  return ["### Requirement coverage", "", "| Requirement | | Stages |", "|---|---|---|", ...rows, ""].join("\n");
}

function risksSection(plan: Plan): string {
  if (plan.risks.length === 0) return "";
  return ["### Risks", "", ...bullets(plan.risks.map(inlineModelText)), ""].join("\n");
}

function gateSection(gate: PlanGateView): string {
  const lines = ["### Plan-body verification", "", `**Gate:** ${GATE_LABEL[gate.result]}`, ""];
  if (gate.dissent.length === 0) return [...lines, "Dissent log: none.", ""].join("\n");
  lines.push(
    "<details>",
    `<summary>Dissent log (${gate.dissent.length})</summary>`,
    "",
    "| Item | Worker | Stance | Evidence |",
    "|---|---|---|---|",
  );
  for (const d of gate.dissent)
    lines.push(`| ${cell(d.item)} | ${cell(d.worker)} | ${d.stance} | ${cell(d.evidence) || "—"} |`);
  return [...lines, "", "</details>", ""].join("\n");
}

const BLOCKS_LABEL = { approval: "⛔ approval", "next-phase": "next phase", none: "—" } as const;

function clarificationSection(plan: Plan): string {
  if (plan.clarifications.length === 0) return ["### Clarifications", "", "None.", ""].join("\n");
  const rows = plan.clarifications.map((c) =>
    [c.id, c.statement, c.evidenceChecked, c.expectedForm, c.recommendedAnswer]
      .map(cell)
      .concat(BLOCKS_LABEL[c.blocks])
      .join(" | "),
  );
  return [
    "### Clarifications",
    "",
    "| ID | Statement | Evidence checked | Expected form | Recommended answer | Blocks |",
    "|---|---|---|---|---|---|",
    ...rows.map((r) => `| ${r} |`),
    "",
  ].join("\n");
}

function provenanceLine(plan: Plan): string {
  const analysers = plan.provenance.analysers.map((a) => a.worker);
  if (!plan.provenance.lead && analysers.length === 0) return "";
  const lead = plan.provenance.lead ? `synthesised by ${inlineModelText(plan.provenance.lead)}` : "synthesised";
  const from = analysers.length > 0 ? ` from drafts by ${analysers.map(inlineModelText).join(", ")}` : "";
  return `<sub>Plan ${lead}${from}.</sub>\n`;
}

// ── Escaping ────────────────────────────────────────────────────────────────

/** A Mermaid quoted label: entity codes for everything Mermaid or GitHub's HTML would read as syntax. */
export function mermaidLabel(text: string): string {
  const entities: Record<string, string> = {
    "#": "#35;",
    '"': "#quot;",
    "<": "#lt;",
    ">": "#gt;",
    "[": "#91;",
    "]": "#93;",
    "{": "#123;",
    "}": "#125;",
    "|": "#124;",
    "`": "#96;",
  };
  return text.replace(/\s+/g, " ").replace(/[#"<>[\]{}|`]/g, (c) => entities[c]);
}

/** A GFM table cell: one line, `|` escaped (even inside code spans, as GFM requires). */
function cell(text: string): string {
  return inlineModelText(text).replace(/\|/g, "\\|");
}

function bullets(items: string[]): string[] {
  return items.length > 0 ? items.map((i) => `- ${i}`) : ["- —"];
}

function list(items: string[]): string {
  return items.length > 0 ? items.join(", ") : "—";
}

function shorten(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/**
 * The validator's warnings (e.g. S12 cohesion) under the plan in its comment:
 * they do not block approval, so the maintainer must see them before approving.
 */
export function renderPlanWarnings(warnings: readonly string[]): string {
  if (warnings.length === 0) return "";
  return [
    "",
    "#### ⚠️ Validator warnings",
    "",
    "These do not block `/okstra approve`; read them before approving.",
    "",
    ...warnings.map((w) => `- ${w}`),
    "",
  ].join("\n");
}
