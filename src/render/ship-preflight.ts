import { codeSpan } from "./model-text.js";
import type { LedgerRow, ShipPreflight } from "../ledger/rows.js";

/**
 * What the ship preflight found, in the words each place uses: the status
 * table's paragraph, a stage's check run summary, and the comment on an
 * affected stage PR. Paths are repository file names (worker-made): always
 * in code spans, never links.
 */

/** The marker okstra finds its own preflight comment on a stage PR by. */
export const PREFLIGHT_MARKER = "<!-- okstra:ship-preflight -->";

type Conflict = ShipPreflight["conflicts"][number];

/** The latest preflight on a task's rows (its `verified` rows carry it), or null: read, never recomputed. */
export function latestShipPreflight(rows: readonly LedgerRow[]): ShipPreflight | null {
  for (let i = rows.length - 1; i >= 0; i--) {
    const row = rows[i]!;
    if (row.status === "verified" && row.shipPreflight) return row.shipPreflight;
  }
  return null;
}

function stagesPhrase(stages: readonly number[]): string {
  if (stages.length === 1) return `stage ${stages[0]} and the base`;
  return `stages ${stages.slice(0, -1).join(", ")} and ${stages.at(-1)}`;
}

function pathsPhrase(paths: readonly string[]): string {
  const shown = paths.slice(0, 10).map(codeSpan).join(", ");
  return paths.length > 10 ? `${shown} and ${paths.length - 10} more` : shown;
}

function conflictLine(conflict: Conflict): string {
  return `${stagesPhrase(conflict.stages)} do not merge together: ${pathsPhrase(conflict.paths)}`;
}

/** What to do about a conflict between `stages`. */
function wayOut(stages: readonly number[]): string {
  const [first, second] = stages;
  const separately =
    second === undefined
      ? ""
      : `ship them in separate groups (\`/okstra ship ${first}\`, then \`/okstra ship ${second}\` once merged), `;
  return (
    `Before \`/okstra ship\`: ${separately}comment \`/okstra revise\` on one stage's PR ` +
    "so it stops changing those lines, " +
    "or merge one stage branch into the other by hand, resolve, push, and `/okstra verify` again."
  );
}

/** The status paragraph: nothing when the latest preflight found every accepted stage merging. */
export function renderPreflightStatus(preflight: ShipPreflight | null): string | null {
  if (!preflight || preflight.conflicts.length === 0) return null;
  const lines = preflight.conflicts.map((c) => `- ${conflictLine(c)}.`);
  const stages = [...new Set(preflight.conflicts.flatMap((c) => c.stages))].sort((a, b) => a - b);
  const head = "⚠️ **Ship preflight: accepted stages conflict.** `/okstra ship` of them together would fail:";
  return [head, ...lines, "", wayOut(stages)].join("\n");
}

/** The paragraph for stage `stage`'s check run summary, or null when it merges with every other accepted stage. */
export function renderPreflightCheckRun(preflight: ShipPreflight | null, stage: number): string | null {
  const mine = (preflight?.conflicts ?? []).filter((c) => c.stages.includes(stage));
  if (mine.length === 0) return null;
  const lines = mine.map((c) => `- ${conflictLine(c)}.`);
  const head = "⚠️ **Ship preflight:** this stage does not merge with another accepted stage: shipping both fails.";
  return [head, ...lines, "", wayOut(mine[0]!.stages)].join("\n");
}

/** The comment on stage `stage`'s PR: the conflicts it is in, or (none left) that the earlier statement is cleared. */
export function renderPreflightComment(preflight: ShipPreflight, stage: number, run: string): string {
  const mine = preflight.conflicts.filter((c) => c.stages.includes(stage));
  if (mine.length === 0) {
    const clean = "this stage now merges cleanly with every accepted stage of the task.";
    return `${PREFLIGHT_MARKER}\n✅ **Ship preflight** (run \`${run}\`): ${clean}\n`;
  }
  const lines = mine.map((c) => `- ${conflictLine(c)}.`);
  return [
    PREFLIGHT_MARKER,
    `⚠️ **Ship preflight** (run \`${run}\`): this stage is accepted, ` +
      "but it does not merge with another accepted stage, so `/okstra ship` of them together would fail.",
    "",
    ...lines,
    "",
    wayOut(mine[0]!.stages),
    "",
  ].join("\n");
}
