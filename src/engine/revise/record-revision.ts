import { carrySidecarSchema, type CarrySidecar } from "../../ledger/files.js";
import type { Ledger } from "../../ledger/ledger.js";
import { appendRowsText } from "../../ledger/jsonl.js";
import { carryFile } from "../../ledger/paths.js";
import { rowsToAppend } from "../../ledger/derive.js";
import { ledgerRowSchema } from "../../ledger/rows.js";
import { readRows, taskPath } from "../../ledger/task-ledger.js";

/**
 * A revised stage is recorded like a done stage — its carry and its `done`
 * row in one ledger commit — with `source: "revise"` (SPEC §15.2), so every
 * view knows the head moved by review feedback and the verdict given at the
 * old head is stale.
 */
export async function recordRevision(ledger: Ledger, issue: number, run: string, carry: CarrySidecar, now: Date): Promise<void> {
  const sidecar = carrySidecarSchema.parse(carry);
  const carryPath = taskPath(issue, carryFile(sidecar.stage));
  const row = ledgerRowSchema.parse({
    at: now.toISOString(),
    run,
    status: "done",
    source: "revise",
    stage: sidecar.stage,
    headCommit: sidecar.stageCommitRange.head,
    branch: sidecar.branch,
    carryPath,
  });
  await ledger.mutate(async (view) => {
    const { rows, text } = await readRows(view, issue);
    const changes = new Map<string, string | null>([[carryPath, `${JSON.stringify(sidecar, null, 2)}\n`]]);
    const fresh = rowsToAppend(rows, [row]);
    if (fresh.length > 0) changes.set(taskPath(issue, "ledger.jsonl"), appendRowsText(text, fresh));
    return { changes, message: `ledger(#${issue}): revise s${sidecar.stage} (${run})`, value: undefined };
  });
}
