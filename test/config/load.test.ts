import { describe, expect, it } from "@jest/globals";
import { parseConfig } from "../../src/config/load.js";
import { findMutatingToken } from "../../src/config/deny-list.js";

describe("parseConfig", () => {
  it("gives the documented defaults when the repository has no okstra.yml", () => {
    const result = parseConfig(null);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.source).toBe("defaults");
    expect(result.config.minimumPermission).toBe("write");
    expect(result.config.implementation).toEqual({ runStepBudget: 8, autoImplementOnApprove: false, draftStagePRs: true });
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

  it.each(["npm ci && npm test", "INSTA_UPDATE=no cargo test", "jest --fixtures-dir x", "cargo test --workspace", "ls -ua", "yarn test && yarn lint", "pnpm test", "npm init-check", "pnpm run lint"])(
    "lets %s run",
    (command) => {
      expect(findMutatingToken(command)).toBeNull();
    },
  );
});
