import { describe, expect, it } from "@jest/globals";
import { authoriseAndLoadConfig, loadConfig, MAX_CONFIG_CHARS, parseConfig } from "../../src/config/load.js";
import type { Permission, Platform } from "../../src/platform/types.js";
import { findMutatingToken } from "../../src/config/deny-list.js";

describe("parseConfig", () => {
  it("gives the documented defaults when the repository has no okstra.yml", () => {
    const result = parseConfig(null);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.source).toBe("defaults");
    expect(result.config.minimumPermission).toBe("write");
    expect(result.config.implementation).toEqual({
      runStepBudget: 8,
      autoImplementOnApprove: false,
      draftStagePRs: true,
    });
    expect(result.config.planning.stageStepCap).toBe(6);
    expect(result.config.timeouts.workerSeconds).toBe(1800);
    expect(result.config.workers.verifiers).toHaveLength(2);
  });

  it("reports every invalid key by its path", () => {
    const result = parseConfig(
      [
        "minimumPermission: read",
        "planning: { stageStepCap: zero }",
        "workers:",
        "  analysers: [ { provider: gpt } ]",
        "colour: blue",
      ].join("\n"),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const paths = result.problems.map((p) => p.path).sort();
    expect(paths).toEqual(["colour", "minimumPermission", "planning.stageStepCap", "workers.analysers.0.provider"]);
    expect(result.problems.find((p) => p.path === "colour")?.message).toBe("unknown key");
  });

  it("refuses a qaCommands entry with a mutating token and names the token", () => {
    const result = parseConfig("qaCommands:\n  lint: npx eslint . --fix\n  test: npm test\n");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([{ path: "qaCommands.lint", message: expect.stringContaining("`--fix`") }]);
  });

  it("accepts install commands in setup: (exempt from the deny-list), as a list or one string", () => {
    const list = parseConfig("setup:\n  - npm install\n  - pnpm install --frozen-lockfile\n");
    expect(list.ok && list.config.setup).toEqual(["npm install", "pnpm install --frozen-lockfile"]);
    const one = parseConfig("setup: yarn\n");
    expect(one.ok && one.config.setup).toEqual(["yarn"]);
    const none = parseConfig("");
    expect(none.ok && none.config.setup).toEqual([]);
  });

  it("reports a YAML syntax error instead of guessing", () => {
    const result = parseConfig("workers: [\n");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems[0].message).toMatch(/^YAML: /);
  });

  it("requires a command for the command provider", () => {
    const result = parseConfig("workers:\n  executor: { provider: command }\n");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems[0].path).toBe("workers.executor.command");
  });
});

describe("findMutatingToken", () => {
  it.each([
    ["npx eslint . --fix", "--fix"],
    ["prettier --write src", "--write"],
    ["go test -w ./...", "-w"],
    ["jest -u", "-u"],
    ["INSTA_UPDATE=always cargo test", "INSTA_UPDATE=always"],
    ["npm install && npm test", "npm install"],
    ["git push origin main", "git push"],
    ["npm i && npm test", "npm i"],
    ["pnpm install && pnpm test", "pnpm install"],
    ["pnpm i", "pnpm i"],
    ["yarn install --frozen-lockfile", "yarn install"],
    ["yarn", "yarn"],
    ["yarn --frozen-lockfile && yarn test", "yarn"],
    ["cd pkg; yarn", "yarn"],
    ["pip install -e .", "pip install"],
  ])("finds the mutating token in %s", (command, token) => {
    expect(findMutatingToken(command)).toBe(token);
  });

  it.each([
    "npm ci && npm test",
    "INSTA_UPDATE=no cargo test",
    "jest --fixtures-dir x",
    "cargo test --workspace",
    "ls -ua",
    "yarn test && yarn lint",
    "pnpm test",
    "npm init-check",
    "pnpm run lint",
  ])("lets %s run", (command) => {
    expect(findMutatingToken(command)).toBeNull();
  });
});

describe("loading the configuration safely", () => {
  /** The three reads the loader makes, with what it read recorded. */
  function platformWith(file: string | null, permissions: Record<string, Permission>) {
    const reads: string[] = [];
    const platform = {
      getPermission: async (login: string) => permissions[login] ?? "none",
      getDefaultBranch: async () => "main",
      readFile: async (path: string, ref: string) => {
        reads.push(`${path}@${ref}`);
        return file;
      },
    } as unknown as Platform;
    return { platform, reads };
  }

  it("authorises before reading: a commenter without write access never makes okstra fetch or parse the file", async () => {
    const { platform, reads } = platformWith("minimumPermission: write\n", { stranger: "read" });
    expect(await authoriseAndLoadConfig(platform, "stranger")).toEqual({
      authorised: false,
      permission: "read",
      required: "write",
    });
    expect(reads).toEqual([]);
  });

  it("then holds the commenter to a stricter minimumPermission from the file", async () => {
    const { platform, reads } = platformWith("minimumPermission: admin\n", { writer: "write", owner: "admin" });
    expect(await authoriseAndLoadConfig(platform, "writer")).toEqual({
      authorised: false,
      permission: "write",
      required: "admin",
    });
    expect(await authoriseAndLoadConfig(platform, "owner")).toMatchObject({
      authorised: true,
      config: { ok: true, config: { minimumPermission: "admin" } },
    });
    expect(reads).toEqual([".github/okstra.yml@main", ".github/okstra.yml@main"]);
  });

  it("refuses a baseUrl and an apiKeyEnv the operator did not allow: the repository cannot send okstra's keys elsewhere", async () => {
    const file = [
      "workers:",
      '  lead: { provider: anthropic, baseUrl: "https://attacker.example" }',
      '  verifiers: [ { provider: openai-compatible, model: m, baseUrl: "https://models.example.evil/v1", apiKeyEnv: PRIVATE_KEY }, { provider: openai-compatible, model: m, baseUrl: "https://models.example/v1", apiKeyEnv: OPENAI_API_KEY } ]',
      "",
    ].join("\n");
    const { platform } = platformWith(file, {});
    const modelEndpoints = { endpoints: ["https://models.example"], keyVars: ["OPENROUTER_API_KEY", "PRIVATE_KEY"] };
    const result = await loadConfig(platform, { modelEndpoints });
    expect(result.ok).toBe(false);
    const paths = result.ok
      ? []
      : result.problems.map((p) => `${p.path}: ${p.message.replace(/ the worker's key .*$/, "")}`);
    expect(paths).toEqual([
      "workers.lead.baseUrl: `https://attacker.example` is not among the model endpoints the operator allows:",
      "workers.verifiers.0.baseUrl: `https://models.example.evil/v1` is not among the model endpoints the operator allows:",
      "workers.verifiers.0.apiKeyEnv: `PRIVATE_KEY` is one of okstra's own credentials and is never sent to a model server",
      "workers.verifiers.1.apiKeyEnv: `OPENAI_API_KEY` is not among the variables the operator allows as model keys; the operator lists them in `OKSTRA_MODEL_KEY_VARS` (comma-separated) — now OPENROUTER_API_KEY",
    ]);
    // What the operator listed is allowed, on a path boundary only.
    const allowed = await loadConfig(
      platformWith(
        'workers:\n  pilot: { provider: openai-compatible, model: m, baseUrl: "https://models.example/v1", apiKeyEnv: OPENROUTER_API_KEY }\n',
        {},
      ).platform,
      { modelEndpoints },
    );
    expect(allowed.ok).toBe(true);
  });

  it("answers a YAML alias bomb as a config problem instead of crashing the job", () => {
    const laughs = [
      "a: &a [x, x, x, x, x, x, x, x, x]",
      ...["b", "c", "d", "e", "f", "g"].map((k, i) => `${k}: &${k} [${Array(9).fill(`*${"abcdefg"[i]}`).join(", ")}]`),
    ].join("\n");
    const result = parseConfig(laughs);
    expect(result).toEqual({
      ok: false,
      problems: [{ path: "", message: "YAML: Excessive alias count indicates a resource exhaustion attack" }],
    });
  });

  it("refuses a file over the size cap without parsing it", () => {
    const huge = `qaCommands:\n${Array.from({ length: 20_000 }, (_, i) => `  c${i}: echo ${"x".repeat(20)}`).join("\n")}\n`;
    expect(huge.length).toBeGreaterThan(560_000);
    const result = parseConfig(huge);
    expect(result).toEqual({
      ok: false,
      problems: [
        { path: "", message: `the file has ${huge.length} characters; okstra reads at most ${MAX_CONFIG_CHARS}` },
      ],
    });
  });
});
