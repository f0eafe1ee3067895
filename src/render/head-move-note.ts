import type { Verdict } from "../ledger/rows.js";
import type { CheckRunOutput, CommitSummary } from "../platform/types.js";
import { VERDICT_TITLE } from "./check-run.js";

/**
 * What okstra says when a done stage's branch moved under it (SPEC §10): the
 * note on the stage PR when the content changed, and the output of the check
 * run that carries a verdict over to a head with the same tree.
 */

export interface HeadMoveNoteInput {
  task: number;
  stage: number;
  branch: string;
  from: string;
  to: string;
  change: "commits-added" | "rewritten";
  commits: readonly CommitSummary[];
  /** The account that pushed, when a webhook said so. */
  pushedBy?: string;
  /** The verdict given at `from`, now stale; null when the stage had none there. */
  staleVerdict: { verdict: Verdict; run: string } | null;
  /** okstra verifies the new head right after this note. */
  reverifying: boolean;
  /** The note is posted on the task's issue because the stage has no PR. */
  onIssue: boolean;
}

const LISTED_COMMITS = 10;

export function headMoveMarker(input: Pick<HeadMoveNoteInput, "task" | "stage" | "from" | "to">): string {
  return `<!-- okstra:head-moved ${JSON.stringify({ task: input.task, stage: input.stage, from: input.from, to: input.to })} -->`;
}

export function renderHeadMoveNote(input: HeadMoveNoteInput): string {
  const { stage, from, to } = input;
  const by = input.pushedBy ? ` (pushed by @${input.pushedBy})` : "";
  const lines = [
    headMoveMarker(input),
    `**okstra · stage ${stage}: \`${input.branch}\` moved** from \`${short(from)}\` to \`${short(to)}\`${by}.`,
    "",
  ];
  lines.push(
    input.change === "commits-added"
      ? `${count(input.commits.length, "commit was", "commits were")} pushed on top of the head okstra recorded:`
      : `The branch was rewritten (rebased or force-pushed) with different content: \`${short(from)}\` is no longer on it. Its commits now:`,
  );
  for (const commit of input.commits.slice(0, LISTED_COMMITS))
    lines.push(`- \`${short(commit.sha)}\` ${plain(commit.subject)} — ${plain(commit.author)}`);
  if (input.commits.length > LISTED_COMMITS) lines.push(`- … and ${input.commits.length - LISTED_COMMITS} more`);
  lines.push("", verdictLine(input), "");
  const source = input.change === "commits-added" ? "user-edit" : "git-reconcile";
  lines.push(
    `okstra recorded \`${short(to)}\` as the stage's head (a \`done\` row with source \`${source}\`). It never rewrites or force-pushes this branch: these commits stay, stages that depend on stage ${stage} build on them, and \`/okstra ship\` ships them once verified.`,
  );
  return lines.join("\n");
}

function verdictLine(input: HeadMoveNoteInput): string {
  const { stage, task } = input;
  const where = input.onIssue ? "" : ` on #${task}`;
  if (!input.staleVerdict) {
    return input.reverifying
      ? `Stage ${stage} had no verdict at \`${short(input.from)}\`; okstra is verifying \`${short(input.to)}\` now.`
      : `Stage ${stage} had no verdict at \`${short(input.from)}\`. Comment \`/okstra verify --stage ${stage}\`${where} to verify \`${short(input.to)}\`.`;
  }
  const stale = `The verdict **${input.staleVerdict.verdict}** given at \`${short(input.from)}\` (run \`${input.staleVerdict.run}\`) is **stale**: it does not cover the new content.`;
  return input.reverifying
    ? `${stale} okstra is re-verifying stage ${stage} at \`${short(input.to)}\` now; the verdict will be on the check run \`okstra / stage ${stage}\` and in the status comment${where}.`
    : `${stale} Comment \`/okstra verify --stage ${stage}\`${where} to verify \`${short(input.to)}\`; until then the stage cannot ship.`;
}

/** A verdict carried to a head whose tree is the one that was verified. */
export function renderCarriedVerdictOutput(input: {
  stage: number;
  verdict: Verdict;
  run: string;
  from: string;
  to: string;
  reportUrl: string;
}): CheckRunOutput {
  return {
    title: `${VERDICT_TITLE[input.verdict]} · carried over from ${short(input.from)}`,
    summary: [
      `**${VERDICT_TITLE[input.verdict]}** — run \`${input.run}\`, given at \`${short(input.from)}\`.`,
      "",
      `The stage branch was rewritten to \`${short(input.to)}\`, whose files are exactly those of \`${short(input.from)}\` (the same git tree), so okstra carries the verdict over without verifying again.`,
      "",
      `[Full report](${input.reportUrl})`,
    ].join("\n"),
  };
}

function short(sha: string): string {
  return sha.slice(0, 12);
}

function count(n: number, one: string, many: string): string {
  return n === 1 ? `1 ${one}` : `${n} ${many}`;
}

/** Commit subjects and author names are other people's text: no code spans broken, no one pinged, no markup. */
function plain(text: string): string {
  return text.replace(/[\\`*_[\]<>|]/g, (c) => `\\${c}`).replace(/@/g, "@\u200b");
}
