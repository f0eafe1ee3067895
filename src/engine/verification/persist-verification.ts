import {
  appendRowsWithFilesMutation,
  completeRows,
  jsonFileText,
  runFile,
  taskPath,
  type Ledger,
  type RowInput,
  type ShipPreflight,
} from "../../ledger/index.js";
import type { StageVerdict } from "./verdict.js";

/**
 * The end of a verification run is one ledger commit (SPEC §4.2, §9.5): a
 * `verified` row per stage — with the head commit it judged, so a later push
 * makes the verdict stale rather than wrong — together with the run's files
 * (run.json, report.md, workers/*.json) and `convergence.json`. A run that
 * gave no verdict writes its files and no rows.
 */
export async function persistVerification(
  ledger: Ledger,
  input: {
    issue: number;
    run: string;
    verdicts: ReadonlyArray<StageVerdict & { headCommit: string }>;
    /** Task-relative paths, from `runResultFiles`. */
    runFiles: Record<string, string>;
    convergence: unknown;
    /** The ship preflight, carried by every `verified` row of the run (signed with it). */
    shipPreflight?: ShipPreflight;
    now: Date;
  },
): Promise<void> {
  const { issue, run } = input;
  const reportPath = taskPath(issue, runFile(run, "report.md"));
  const preflight = input.shipPreflight ? { shipPreflight: input.shipPreflight } : {};
  const rows: RowInput[] = input.verdicts.map((v) => ({
    run,
    status: "verified",
    stage: v.stage,
    verdict: v.verdict,
    reportPath,
    headCommit: v.headCommit,
    ...preflight,
  }));
  // Redacted by the ledger itself, like every write (SPEC §14.3).
  const files = {
    ...input.runFiles,
    [runFile(run, "convergence.json")]: jsonFileText(input.convergence),
  };
  const verdicts = input.verdicts.map((v) => `s${v.stage} ${v.verdict}`).join(", ");
  const message = `ledger(#${issue}): ${run} ${verdicts ? `verified ${verdicts}` : "no verdict"}`;
  await ledger.mutate(appendRowsWithFilesMutation(issue, completeRows(rows, input.now), files, message));
}
