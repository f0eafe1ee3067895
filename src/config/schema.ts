import { z } from "zod";
import { findMutatingToken } from "./deny-list.js";

/**
 * The `.github/okstra.yml` schema (SPEC §3): every key optional, defaults here
 * and nowhere else. Unknown keys are rejected so a typo is reported, not
 * silently ignored.
 */

export const PROVIDERS = ["anthropic", "openai", "gemini", "claude-code", "codex", "gemini-cli", "command"] as const;
export type ProviderName = (typeof PROVIDERS)[number];

export const workerSpecSchema = z
  .strictObject({
    provider: z.enum(PROVIDERS),
    model: z.string().min(1).optional(),
    /** Only for `provider: command`: the executable and its arguments (run without a shell). */
    command: z.string().min(1).optional(),
  })
  .superRefine((spec, ctx) => {
    if (spec.provider === "command" && !spec.command) {
      ctx.addIssue({ code: "custom", path: ["command"], message: "provider `command` needs a `command` to run" });
    }
    if (spec.provider !== "command" && spec.command) {
      ctx.addIssue({ code: "custom", path: ["command"], message: `\`command\` is only for provider \`command\`, not \`${spec.provider}\`` });
    }
  });
export type WorkerSpec = z.infer<typeof workerSpecSchema>;

const safeCommand = z.string().min(1).superRefine((command, ctx) => {
  const token = findMutatingToken(command);
  if (token) ctx.addIssue({ code: "custom", message: `contains the mutating token \`${token.trim()}\`; okstra only runs read-only validation commands` });
});

const permission = z.enum(["write", "maintain", "admin"]);

export const configSchema = z.strictObject({
  baseBranch: z.string().min(1).optional(),
  minimumPermission: permission.default("write"),
  workers: z
    .strictObject({
      lead: workerSpecSchema.default({ provider: "anthropic", model: "claude-opus-4-1" }),
      analysers: z.array(workerSpecSchema).min(1).default([{ provider: "anthropic" }, { provider: "openai" }]),
      executor: workerSpecSchema.default({ provider: "claude-code" }),
      verifiers: z.array(workerSpecSchema).min(1).default([{ provider: "anthropic" }, { provider: "openai" }]),
      pilot: workerSpecSchema.default({ provider: "anthropic" }),
    })
    .prefault({}),
  planning: z
    .strictObject({
      stageStepCap: z.number().int().min(1).max(12).default(6),
      maxFixRounds: z.number().int().min(0).max(5).default(2),
      planBodyVerification: z.boolean().default(true),
    })
    .prefault({}),
  implementation: z
    .strictObject({
      runStepBudget: z.number().int().min(1).max(100).default(8),
      autoImplementOnApprove: z.boolean().default(false),
      draftStagePRs: z.boolean().default(true),
    })
    .prefault({}),
  verification: z
    .strictObject({
      maxRounds: z.number().int().min(1).max(5).default(2),
      adversarial: z.boolean().default(true),
      autoVerify: z.boolean().default(true),
    })
    .prefault({}),
  qaCommands: z.record(z.string().min(1), safeCommand).default({}),
  /** SPEC §14.1: `network: off` cuts setup and validation commands off the network. */
  sandbox: z.strictObject({ network: z.enum(["on", "off"]).default("on") }).prefault({}),
  timeouts: z
    .strictObject({
      workerSeconds: z.number().int().positive().default(1800),
      stageSeconds: z.number().int().positive().default(3600),
      runSeconds: z.number().int().positive().default(10800),
    })
    .prefault({}),
  budgets: z
    .strictObject({
      runUsd: z.number().positive().optional(),
      taskUsd: z.number().positive().optional(),
    })
    .prefault({}),
  pilot: z.boolean().default(true),
});

export type OkstraConfig = z.infer<typeof configSchema>;

/** The configuration of a repository with no `.github/okstra.yml`. */
export function defaultConfig(): OkstraConfig {
  return configSchema.parse({});
}
