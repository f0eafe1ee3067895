import type { z } from "zod";
import { renderPromptParts, type PromptValues } from "./render-prompt.js";
import { resultJsonSchema } from "./results.js";
import type { WorkerRequest } from "./types.js";

/** A worker request's fields (SPEC §12) before its prompt is rendered and its result schema converted. */
export interface RequestParts
  extends Pick<WorkerRequest, "role" | "phase" | "task" | "run" | "stage" | "round" | "input"> {
  /** Placeholder values of the template. */
  values: PromptValues;
  /** The role's result schema (results.ts, or the plan schema for analyser/lead). */
  schema: z.ZodType;
  /** Defaults to `<phase>-<role>`, e.g. `verification-verifier`. */
  template?: string;
}

/** A complete worker request: the rendered prompt and the JSON Schema of the role's result. */
export function buildWorkerRequest(parts: RequestParts): WorkerRequest {
  const { role, phase, task, run, stage, round, input } = parts;
  const rendered = renderPromptParts(parts.template ?? `${phase}-${role}`, parts.values);
  return {
    role,
    phase,
    task,
    run,
    ...(stage === undefined ? {} : { stage }),
    ...(round === undefined ? {} : { round }),
    prompt: rendered.prompt,
    ...(rendered.stablePrefixLength > 0 ? { stablePrefixLength: rendered.stablePrefixLength } : {}),
    input,
    resultSchema: resultJsonSchema(parts.schema),
  };
}
