import {
  extractSection,
  normaliseNewlines,
  placeSection,
  settle,
  type SectionMarkers,
  type SectionReplacement,
} from "./stack-block.js";
import { fitTitle } from "./model-text.js";

/**
 * The stage-group PR (SPEC §7.2): title, and a body whose okstra section
 * lists the stages with their verdicts and reports, the merge commit that
 * brought each one in, and its stage PR. The section sits between markers,
 * so a reused PR gets only that section rewritten and keeps whatever people
 * wrote around it. Also the two short comments okstra leaves on stage PRs.
 */

export const GROUP_BODY_START = "<!-- okstra:group:start (generated; edits inside are overwritten) -->";
export const GROUP_BODY_END = "<!-- okstra:group:end -->";
export const GROUP_BODY_MARKERS: SectionMarkers = {
  name: "group description",
  start: "<!-- okstra:group:start",
  end: "<!-- okstra:group:end",
};

export interface GroupPrStage {
  stage: number;
  title: string;
  verdict: string;
  /** The commit the verdict was given at (the stage head that was merged). */
  verifiedHead: string;
  /** Where the verification report can be read, when there is one. */
  reportUrl?: string;
  /** The merge commit on the collector branch. */
  mergeCommit: string;
  stagePr?: { number: number; url: string };
}

export interface GroupPrBodyInput {
  issue: number;
  taskTitle: string;
  branch: string;
  base: string;
  baseCommit: string;
  stages: readonly GroupPrStage[];
}

const VERDICT_ICON: Record<string, string> = { accepted: "✅", "conditional-accept": "⚠️", blocked: "⛔" };

export function groupPrTitle(issue: number, taskTitle: string, stages: readonly number[]): string {
  const list = [...stages].sort((a, b) => a - b).join(", ");
  return fitTitle(`${stages.length === 1 ? "Stage" : "Stages"} ${list}: `, oneLine(taskTitle), ` (#${issue})`);
}

export function renderGroupPrBody(input: GroupPrBodyInput): string {
  const stages = [...input.stages].sort((a, b) => a.stage - b.stage);
  const rows = stages.map((s) => {
    const verdict = `${VERDICT_ICON[s.verdict] ?? ""} ${s.verdict} at \`${s.verifiedHead.slice(0, 7)}\``.trim();
    const report = s.reportUrl ? `[report](${s.reportUrl.replace(/[()\s]/g, encodeURIComponent)})` : "—";
    const pr = s.stagePr ? `#${s.stagePr.number}` : "—";
    return `| ${s.stage} | ${cell(s.title)} | ${verdict} | ${report} | ${pr} | \`${s.mergeCommit.slice(0, 12)}\` |`;
  });
  const names = stages.map((s) => s.stage).join(", ");
  return [
    GROUP_BODY_START,
    `Ships ${stages.length === 1 ? "stage" : "stages"} **${names}** of #${input.issue} (${cell(input.taskTitle)}) onto \`${input.base}\`. Every stage here was verified \`accepted\` at the commit that is merged.`,
    "",
    "| stage | title | verdict | report | stage PR | merge commit |",
    "|---|---|---|---|---|---|",
    ...rows,
    "",
    `\`${input.branch}\` is \`${input.base}\` at \`${input.baseCommit.slice(0, 12)}\` with one \`--no-ff\` merge per stage, in ascending order. ` +
      "Merging this PR merges them all; okstra then closes the stage PRs above that are still open, linking here.",
    GROUP_BODY_END,
  ].join("\n");
}

/** The body of a reused group PR: okstra's section replaced, everything else kept. */
export function mergeGroupPrBody(current: string, rendered: string): SectionReplacement {
  const normalised = normaliseNewlines(current);
  return settle(
    normalised,
    placeSection(normalised, GROUP_BODY_MARKERS, extractSection(rendered, GROUP_BODY_MARKERS), "prepend"),
  );
}

/** Marker of the comment that tells a stage PR where it ships; found again so it is posted once. */
export function shippedCommentMarker(group: number, stage: number): string {
  return `<!-- okstra:shipped ${JSON.stringify({ group, stage })} -->`;
}

export function renderShippedComment(input: {
  group: number;
  stage: number;
  stages: readonly number[];
  base: string;
}): string {
  return [
    shippedCommentMarker(input.group, input.stage),
    `🚢 Stage ${input.stage} ships in #${input.group} (${input.stages.length === 1 ? "stage" : "stages"} ${input.stages.join(", ")} → \`${input.base}\`). ` +
      `Review and merge it there: merging #${input.group} settles this PR too (okstra closes it with a link, unless GitHub already shows it merged).`,
  ].join("\n");
}

export function groupMergedCommentMarker(group: number): string {
  return `<!-- okstra:group-merged ${JSON.stringify({ group })} -->`;
}

/** `closing`: okstra closes the stage PR now; otherwise the platform already shows it merged. */
export function renderGroupMergedComment(input: { group: number; base: string; closing: boolean }): string {
  const lead = `✅ This stage was merged into \`${input.base}\` as part of #${input.group}`;
  return [
    groupMergedCommentMarker(input.group),
    input.closing ? `${lead}, so okstra closes this PR. Its branch is kept.` : `${lead}. Its branch is kept.`,
  ].join("\n");
}

function cell(text: string): string {
  return text.replace(/\s+/g, " ").trim().replace(/\|/g, "\\|").replace(/</g, "&lt;");
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
