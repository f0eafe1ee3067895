import { z } from "zod";
import { gitSha } from "./rows.js";

/**
 * The JSON files of a task besides its rows (SPEC §4): task meta, run
 * manifests and carry sidecars. `plan.json` belongs to the planning phase
 * (`src/plan/plan-schema.ts`); the ledger treats it as opaque JSON and
 * only reads the stage structure readiness needs (see `planStagesSchema`).
 */

const isoTime = z.iso.datetime({ offset: true });

export const taskMetaSchema = z.object({
  issue: z.number().int().positive(),
  title: z.string(),
  baseBranch: z.string().min(1),
  /** The base-branch commit stages without dependencies start from; fixed when the plan is approved. */
  implementationBaseCommit: gitSha.optional(),
  planVersion: z.number().int().nonnegative(),
  createdAt: isoTime,
});
export type TaskMeta = z.infer<typeof taskMetaSchema>;

export const RUN_PHASES = [
  "planning",
  "implementation",
  "verification",
  "handoff",
  "discovery",
  "error-analysis",
] as const;
export type RunPhase = (typeof RUN_PHASES)[number];

/** `abandoned`: the process running it died; crash recovery closed it after its leases expired (SPEC §10). */
export const RUN_STATUSES = ["queued", "running", "succeeded", "failed", "refused", "cancelled", "abandoned"] as const;

const usageSchema = z.looseObject({
  inputTokens: z.number().nonnegative().optional(),
  outputTokens: z.number().nonnegative().optional(),
  costUsd: z.number().nonnegative().optional(),
});
export type Usage = z.infer<typeof usageSchema>;

/** Loose: the phases record more (issue body at trigger time, outcome detail); the ledger checks what it relies on. */
export const runManifestSchema = z.looseObject({
  id: z.string().regex(/^[a-z][a-z-]*-\d+$/, "a run id like `impl-3`"),
  phase: z.enum(RUN_PHASES),
  trigger: z.looseObject({
    commentId: z.number().int(),
    deliveryId: z.string(),
    actor: z.string().min(1),
    command: z.string().min(1),
  }),
  status: z.enum(RUN_STATUSES),
  batch: z.array(z.number().int().positive()).optional(),
  startedAt: isoTime,
  finishedAt: isoTime.optional(),
  usage: usageSchema.optional(),
});
export type RunManifest = z.infer<typeof runManifestSchema>;

/** SPEC §6.4. Only `status: "complete"` makes a carry count as evidence that the stage is done. */
export const carrySidecarSchema = z.looseObject({
  stage: z.number().int().positive(),
  taskKey: z.string().min(1),
  run: z.string().min(1),
  branch: z.string().min(1),
  stageCommitRange: z.object({ base: gitSha, head: gitSha }),
  commits: z.array(z.object({ sha: gitSha, subject: z.string() })),
  exposed: z.object({ files: z.array(z.string()), identifiers: z.array(z.string()), endpoints: z.array(z.string()) }),
  validation: z.array(
    z.object({
      phase: z.enum(["pre", "post", "qa"]),
      command: z.string(),
      exitCode: z.number().int(),
      durationMs: z.number().nonnegative(),
      outputTail: z.string(),
    }),
  ),
  outOfPlanEdits: z.array(z.object({ path: z.string(), reason: z.string() })),
  placeholders: z.array(z.unknown()),
  worker: z.looseObject({ provider: z.string(), model: z.string().optional(), usage: usageSchema.optional() }),
  status: z.enum(["complete", "partial", "failed"]),
});
export type CarrySidecar = z.infer<typeof carrySidecarSchema>;

/**
 * The slice of a plan the ledger needs for readiness. Structural on purpose:
 * the full plan schema lives with the planning phase and may grow.
 */
export interface PlanStageShape {
  number: number;
  dependsOn: number[];
  steps: unknown[];
}

export const planStagesSchema = z.looseObject({
  stages: z.array(
    z.looseObject({
      number: z.number().int().positive(),
      dependsOn: z.array(z.number().int().positive()),
      steps: z.array(z.unknown()),
    }),
  ),
});
