import { jsonFileText, readMeta, readRows, taskMetaSchema, taskPath, type Ledger } from "../../ledger/index.js";
import { planDigest } from "../../plan/plan-digest.js";
import type { Plan } from "../../plan/plan-schema.js";

export interface PersistedPlan {
  version: number;
  digest: string;
  supersededVersion: number | null;
}

/**
 * Saves a plan and its run in one ledger commit (SPEC §4): the previous
 * `plan.json` is kept as `plan.v<k>.json`, the new one takes version k+1,
 * `plan.md` is rendered from it, `task.json` records the version, and the
 * run's own files land with it. A lost race re-applies on the new head, so
 * two planning runs can never both claim one version number.
 */
export async function persistPlan(
  ledger: Ledger,
  issue: number,
  build: (version: number) => { plan: Plan; markdown: string; runFiles: Record<string, string> },
): Promise<PersistedPlan> {
  const outcome = await ledger.mutate(async (view) => {
    await readRows(view, issue);
    const meta = await readMeta(view, issue);
    if (!meta) throw new Error(`task #${issue} has no ledger entry`);
    const changes = new Map<string, string | null>();
    const current = await view.read(taskPath(issue, "plan.json"));
    const version = meta.planVersion + 1;
    if (current !== null) changes.set(taskPath(issue, `plan.v${meta.planVersion}.json`), current);

    const { plan, markdown, runFiles } = build(version);
    const stored: Plan = { ...plan, version };
    changes.set(taskPath(issue, "plan.json"), jsonFileText(stored));
    changes.set(taskPath(issue, "plan.md"), markdown);
    changes.set(taskPath(issue, "task.json"), jsonFileText(taskMetaSchema.parse({ ...meta, planVersion: version })));
    for (const [relative, text] of Object.entries(runFiles)) changes.set(taskPath(issue, relative), text);
    return {
      changes,
      message: `ledger(#${issue}): plan v${version}`,
      value: { version, digest: planDigest(stored), supersededVersion: current === null ? null : meta.planVersion },
    };
  });
  return outcome.value;
}
