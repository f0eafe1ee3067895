import { afterAll, describe, expect, it } from "@jest/globals";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { claudeArgs } from "../../src/workers/providers/claude-code.js";
import { codexArgs } from "../../src/workers/providers/codex.js";
import { geminiCliArgs } from "../../src/workers/providers/gemini-cli.js";
import { executorResultSchema, resultJsonSchema } from "../../src/workers/results.js";
import { executorRequest } from "./helpers.js";

/**
 * Every flag okstra passes to an agent CLI, checked against the real CLI's
 * `--help` (the CLIs are devDependencies; the fakes in fixtures/workers/bin
 * cannot tell whether a flag exists). A CLI that is not installed is skipped,
 * with the reason in the test's name.
 */

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const home = mkdtempSync(path.join(tmpdir(), "okstra-cli-help-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));

function help(bin: string, args: string[]): string {
  // A private HOME, so the CLIs write no state into the developer's.
  return execFileSync(bin, args, {
    env: { PATH: process.env.PATH, HOME: home, NO_COLOR: "1" },
    encoding: "utf8",
    timeout: 120_000,
  });
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function expectAccepted(helpText: string, argv: string[], values: string[]): void {
  const flags = argv.filter((a) => a.startsWith("-") && a !== "-").map((a) => a.split("=")[0]);
  for (const flag of flags)
    expect({ flag, listed: new RegExp(`(^|[\\s,])${escape(flag)}([\\s,=<]|$)`, "m").test(helpText) }).toEqual({
      flag,
      listed: true,
    });
  for (const value of values) expect({ value, listed: helpText.includes(value) }).toEqual({ value, listed: true });
}

const call = {
  request: executorRequest({ resultSchema: resultJsonSchema(executorResultSchema) }),
  model: "claude-sonnet-4-6",
  spec: { provider: "codex" as const, baseUrl: "http://127.0.0.1:9/v1" },
};
const readOnly = { ...call, request: { ...call.request, role: "verifier" as const } };

const CLIS = [
  {
    name: "claude",
    helpArgs: ["--help"],
    argv: [...claudeArgs(call), ...claudeArgs(readOnly)],
    // Enumerated values okstra relies on, as the help lists them among the choices.
    values: ['"stream-json"', '"dontAsk"', "user, project, local"],
  },
  {
    name: "codex",
    helpArgs: ["exec", "--help"],
    argv: [...codexArgs(call, "/tmp/schema.json"), ...codexArgs(readOnly, "/tmp/schema.json")],
    values: ["read-only", "danger-full-access"],
  },
  {
    name: "gemini",
    helpArgs: ["--help"],
    argv: [...geminiCliArgs(call), ...geminiCliArgs(readOnly)],
    values: ['"json"', '"yolo"', '"plan"'],
  },
];

describe("agent CLI flags", () => {
  for (const cli of CLIS) {
    const bin = path.join(ROOT, "node_modules", ".bin", cli.name);
    const installed = existsSync(bin);
    const test = installed ? it : it.skip;
    const title = installed
      ? `${cli.name} ${cli.helpArgs.join(" ")} lists every flag okstra passes`
      : `${cli.name}: skipped — not installed at node_modules/.bin/${cli.name} (npm ci installs it)`;
    test(title, () => {
      expectAccepted(help(bin, cli.helpArgs), cli.argv, cli.values);
    }, 150_000);
  }
});
