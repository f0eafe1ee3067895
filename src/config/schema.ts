import { z } from "zod";
import { findMutatingToken } from "./deny-list.js";

/**
 * The `.github/okstra.yml` schema (SPEC §3): every key optional, defaults here
 * and nowhere else. Unknown keys are rejected so a typo is reported, not
 * silently ignored.
 */

export const PROVIDERS = [
  "anthropic",
  "openai",
  "gemini",
  "claude-code",
  "codex",
  "gemini-cli",
  "command",
  "openai-compatible",
] as const;
export type ProviderName = (typeof PROVIDERS)[number];

export const workerSpecSchema = z
  .strictObject({
    provider: z.enum(PROVIDERS),
    model: z.string().min(1).optional(),
    /** Only for `provider: command`: the executable and its arguments (run without a shell). */
    command: z.string().min(1).optional(),
    /**
     * The API's base URL: required for `openai-compatible` (vLLM, Ollama,
     * Azure, OpenRouter…), optional for every other model provider (a gateway
     * or proxy in front of the vendor's API).
     */
    baseUrl: z.url({ protocol: /^https?$/ }).optional(),
    /** The environment variable holding the key, for `openai-compatible`; none for a local server without one. */
    apiKeyEnv: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/, "an environment variable name, e.g. OPENROUTER_API_KEY")
      .optional(),
    /** USD per million tokens, overriding okstra's price table for this worker's model. */
    price: z
      .strictObject({
        input: z.number().nonnegative(),
        output: z.number().nonnegative(),
        cachedInput: z.number().nonnegative().optional(),
      })
      .optional(),
  })
  .superRefine((spec, ctx) => {
    if (spec.provider === "command" && !spec.command) {
      ctx.addIssue({ code: "custom", path: ["command"], message: "provider `command` needs a `command` to run" });
    }
    if (spec.provider !== "command" && spec.command) {
      ctx.addIssue({
        code: "custom",
        path: ["command"],
        message: `\`command\` is only for provider \`command\`, not \`${spec.provider}\``,
      });
    }
    if (spec.provider === "openai-compatible" && !spec.model) {
      ctx.addIssue({
        code: "custom",
        path: ["model"],
        message: "provider `openai-compatible` needs a `model`, the id the server knows it by (e.g. qwen2.5-coder:32b)",
      });
    }
    if (spec.provider === "openai-compatible" && !spec.baseUrl) {
      ctx.addIssue({
        code: "custom",
        path: ["baseUrl"],
        message: "provider `openai-compatible` needs a `baseUrl`, e.g. http://localhost:11434/v1",
      });
    }
    if (spec.provider === "command" && spec.baseUrl) {
      ctx.addIssue({ code: "custom", path: ["baseUrl"], message: "`baseUrl` is for model providers, not `command`" });
    }
    if (spec.apiKeyEnv && spec.provider !== "openai-compatible") {
      ctx.addIssue({
        code: "custom",
        path: ["apiKeyEnv"],
        message: `\`apiKeyEnv\` is only for provider \`openai-compatible\`; \`${spec.provider}\` reads its vendor's key variable`,
      });
    }
  });
export type WorkerSpec = z.infer<typeof workerSpecSchema>;

const safeCommand = z
  .string()
  .min(1)
  .superRefine((command, ctx) => {
    const token = findMutatingToken(command);
    if (token)
      ctx.addIssue({
        code: "custom",
        message: `contains the mutating token \`${token.trim()}\`; okstra only runs read-only validation commands`,
      });
  });

const permission = z.enum(["write", "maintain", "admin"]);

export const configSchema = z.strictObject({
  baseBranch: z.string().min(1).optional(),
  minimumPermission: permission.default("write"),
  workers: z
    .strictObject({
      lead: workerSpecSchema.default({ provider: "anthropic", model: "claude-opus-4-1" }),
      analysers: z
        .array(workerSpecSchema)
        .min(1)
        .default([{ provider: "anthropic" }, { provider: "openai" }]),
      executor: workerSpecSchema.default({ provider: "claude-code" }),
      verifiers: z
        .array(workerSpecSchema)
        .min(1)
        .default([{ provider: "anthropic" }, { provider: "openai" }]),
      pilot: workerSpecSchema.default({ provider: "anthropic" }),
    })
    .prefault({}),
  planning: z
    .strictObject({
      stageStepCap: z.number().int().min(1).max(12).default(6),
      maxFixRounds: z.number().int().min(0).max(5).default(2),
      planBodyVerification: z.boolean().default(true),
      /** Tokens one analyser request may take (prompt and result schema, context included); the most relevant files fill it first (SPEC §13). */
      contextTokens: z.number().int().min(8_000).max(1_000_000).default(40_000),
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
  /**
   * Commands run in every workspace before workers and validation (SPEC §3),
   * e.g. `npm ci` or `pnpm install --frozen-lockfile`. Installing is their
   * job, so the deny-list does not apply; changes they make to tracked files
   * are discarded, and package caches persist per repository.
   */
  setup: z
    .union([
      z
        .string()
        .min(1)
        .transform((command) => [command]),
      z.array(z.string().min(1)),
    ])
    .default([]),
  pilot: z.boolean().default(true),
});

export type OkstraConfig = z.infer<typeof configSchema>;

/** The configuration of a repository with no `.github/okstra.yml`. */
export function defaultConfig(): OkstraConfig {
  return configSchema.parse({});
}
