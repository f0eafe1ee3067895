import { z } from "zod";

/**
 * The rows of `tasks/<N>/ledger.jsonl` (SPEC §4.1). Every row has `at`, `run`
 * and `status`; `source` marks rows that okstra derived from evidence rather
 * than from a run's own say-so (reconciliation, carry backfill, user edits).
 *
 * Unknown keys are stripped on read, never rejected: rows are appended as text
 * and never re-serialised, so a newer okstra may add fields without an older
 * one calling the ledger corrupt.
 */

export const ROW_SOURCES = ["git-reconcile", "carry-backfill", "user-edit", "revise", "restack"] as const;
export type RowSource = (typeof ROW_SOURCES)[number];

export const VERDICTS = ["accepted", "conditional-accept", "blocked"] as const;
export type Verdict = (typeof VERDICTS)[number];

const isoTime = z.iso.datetime({ offset: true });
/** A git object id: SHA-1 (40 hex) or SHA-256 (64 hex). */
export const gitSha = z
  .string()
  .regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/, "a 40- or 64-character lowercase hex commit id");
const stage = z.number().int().positive();
const text = z.string().min(1);

const base = {
  at: isoTime,
  run: text,
  source: z.enum(ROW_SOURCES).optional(),
};

export const startedRowSchema = z.object({
  ...base,
  status: z.literal("started"),
  stage,
  leaseUntil: isoTime,
  /**
   * The commit the stage starts from, when it is known at the claim: the
   * implementation base for a stage without dependencies, its one
   * dependency's done head otherwise. Absent when the base is made later.
   */
  baseCommit: gitSha.optional(),
  /**
   * The stages whose heads the stage starts from when its base is made only
   * when it starts (a merge of several heads, or a dependency done in the same
   * run): the base commit is then on its `done` row and in its carry.
   */
  baseFrom: z.array(stage).min(1).optional(),
});
export const doneRowSchema = z.object({
  ...base,
  status: z.literal("done"),
  stage,
  headCommit: gitSha,
  branch: text,
  carryPath: text,
  /** The commit the stage's own work starts from (its carry's `stageCommitRange.base`). */
  baseCommit: gitSha.optional(),
});
export const failedRowSchema = z.object({
  ...base,
  status: z.literal("failed"),
  stage,
  reason: text,
  detail: z.string(),
});
export const abandonedRowSchema = z.object({ ...base, status: z.literal("abandoned"), stage, reason: text });
/**
 * Whether the task's accepted stage heads merge together (the ship preflight),
 * as the verification run that wrote the row found it: the stages checked and
 * each conflict (its stages, its paths). The latest one stands until the next.
 */
export const shipPreflightSchema = z.object({
  stages: z.array(stage),
  conflicts: z.array(z.object({ stages: z.array(stage).min(1), paths: z.array(text) })),
});
export const verifiedRowSchema = z.object({
  ...base,
  status: z.literal("verified"),
  stage,
  verdict: z.enum(VERDICTS),
  reportPath: text,
  headCommit: gitSha,
  shipPreflight: shipPreflightSchema.optional(),
});
export const prRowSchema = z.object({
  ...base,
  status: z.literal("pr"),
  stages: z.array(stage).min(1),
  kind: z.enum(["stage", "group"]),
  branch: text,
  number: z.number().int().positive(),
  url: z.url(),
});
/** Without a stage, a cancellation ends every claim on the task that precedes it. */
export const cancelledRowSchema = z.object({ ...base, status: z.literal("cancelled"), stage: stage.optional() });
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, "a sha256 hex digest");
export const approvedRowSchema = z.object({
  ...base,
  status: z.literal("approved"),
  planDigest: sha256Hex,
  actor: text,
});

/**
 * A new plan version was saved (SPEC §4): the row that ties `plan.json` to the
 * signed, append-only chain. Files are signed one by one, so a plan file and
 * its signature put back from an earlier version would verify on their own;
 * the last `planned` row says which plan is current, and only an approval
 * after it counts.
 */
export const plannedRowSchema = z.object({
  ...base,
  status: z.literal("planned"),
  planVersion: z.number().int().positive(),
  planDigest: sha256Hex,
});

/**
 * Bringing a stage up to date with a dependency's new head conflicted (SPEC
 * §15.3): the stage waits for `/okstra revise` or a person. A later `done`
 * of the stage (restacked, revised, or a user's merge) ends it.
 */
export const needsRestackRowSchema = z.object({
  ...base,
  status: z.literal("needs-restack"),
  stage,
  dependency: stage,
  dependencyHead: gitSha,
  paths: z.array(text),
});

export const ledgerRowSchema = z.discriminatedUnion("status", [
  startedRowSchema,
  doneRowSchema,
  failedRowSchema,
  abandonedRowSchema,
  verifiedRowSchema,
  prRowSchema,
  cancelledRowSchema,
  approvedRowSchema,
  plannedRowSchema,
  needsRestackRowSchema,
]);

export type StartedRow = z.infer<typeof startedRowSchema>;
export type DoneRow = z.infer<typeof doneRowSchema>;
export type FailedRow = z.infer<typeof failedRowSchema>;
export type AbandonedRow = z.infer<typeof abandonedRowSchema>;
export type VerifiedRow = z.infer<typeof verifiedRowSchema>;
export type ShipPreflight = z.infer<typeof shipPreflightSchema>;
export type PrRow = z.infer<typeof prRowSchema>;
export type CancelledRow = z.infer<typeof cancelledRowSchema>;
export type ApprovedRow = z.infer<typeof approvedRowSchema>;
export type PlannedRow = z.infer<typeof plannedRowSchema>;
export type NeedsRestackRow = z.infer<typeof needsRestackRowSchema>;
export type LedgerRow = z.infer<typeof ledgerRowSchema>;
export type RowStatus = LedgerRow["status"];

/** Rows that end a claim (SPEC §4.1 "claimed"). */
export type ClaimEndRow = DoneRow | FailedRow | AbandonedRow | CancelledRow;
export const CLAIM_END_STATUSES: ReadonlySet<RowStatus> = new Set(["done", "failed", "abandoned", "cancelled"]);

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A row as callers hand it to the ledger: `at` defaults to the ledger's clock. */
export type RowInput = DistributiveOmit<LedgerRow, "at"> & { at?: string };

/**
 * Reconciliation rows record what git or a carry says happened, so they may
 * re-append `done` for the same run and stage at a new head (SPEC §4.1, §10:
 * a `user-edit` done is also a reconciled done, at the foreign head).
 */
export function isReconciliation(row: Pick<LedgerRow, "source">): boolean {
  return row.source !== undefined;
}
