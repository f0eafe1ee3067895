import { plural } from "./eligibility.js";

/**
 * Dependency closure (SPEC §7.2): a group PR must build on its own, so each
 * dependency of a selected stage is either shipped with it or already part
 * of the base. "Part of the base" is a git fact, not a ledger one — the
 * dependency's verified head is an ancestor of the base head — so a stage
 * merged by hand, by a stage PR or by an earlier group PR all count alike.
 */

export interface ClosureGap {
  stage: number;
  /** Dependencies neither selected nor in the base, ascending. */
  missing: number[];
}

export async function dependencyGaps(input: {
  planStages: readonly { number: number; dependsOn: readonly number[] }[];
  selected: readonly number[];
  /** Whether a stage's work is already in the base; asked at most once per stage. */
  inBase: (stage: number) => Promise<boolean>;
}): Promise<ClosureGap[]> {
  const selected = new Set(input.selected);
  const known = new Map<number, Promise<boolean>>();
  const inBase = (stage: number) => {
    if (!known.has(stage)) known.set(stage, input.inBase(stage));
    return known.get(stage)!;
  };
  const gaps: ClosureGap[] = [];
  for (const stage of [...selected].sort((a, b) => a - b)) {
    const dependsOn = input.planStages.find((s) => s.number === stage)?.dependsOn ?? [];
    const missing: number[] = [];
    for (const dependency of [...dependsOn].sort((a, b) => a - b)) {
      if (!selected.has(dependency) && !(await inBase(dependency))) missing.push(dependency);
    }
    if (missing.length > 0) gaps.push({ stage, missing });
  }
  return gaps;
}

/** "stage 3 needs stages 1, 2 in the base or in this ship; stage 4 needs stage 3 …" */
export function describeGaps(gaps: readonly ClosureGap[], base: string): string {
  return gaps
    .map(
      (g) =>
        `stage ${g.stage} needs ${plural("stage", g.missing)} ${g.missing.join(", ")} in the base \`${base}\` or in this ship`,
    )
    .join("; ");
}
