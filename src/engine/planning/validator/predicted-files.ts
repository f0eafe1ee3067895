import type { PlanStage } from "../../../plan/plan-schema.js";
import { normalisePath } from "./glob-overlap.js";

/**
 * The files a stage is predicted to touch: its exit contract plus every step's
 * files, normalised and de-duplicated. This is what two stages running in
 * the same batch must not share (S9).
 */
export function predictedFiles(stage: PlanStage): string[] {
  const all = [...stage.exitContract.files, ...stage.steps.flatMap((s) => s.files)];
  return [...new Set(all.filter((p) => p.trim() !== "").map(normalisePath))];
}
