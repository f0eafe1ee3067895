import { existsSync } from "node:fs";
import path from "node:path";
import type { ValidationResult } from "./run-validation.js";

/**
 * When validation fails because a tool or a module is missing, the stage's
 * code is rarely the cause: the workspace has no dependencies installed.
 * The failure then says what to add to `.github/okstra.yml` (SPEC §3 `setup:`),
 * in the help-style of a refusal: what was wrong, what to type instead.
 */

/** Shell, Node and Python words for "this program or module is not there". */
const MISSING = [
  /: (\d+: )?[\w@./-]+: (command )?not found/i,
  /command not found/i,
  /Cannot find module/i,
  /ERR_MODULE_NOT_FOUND/,
  /Cannot find package/i,
  /ModuleNotFoundError|No module named/,
];

/** The install command a repository's lockfile asks for. */
export function suggestedSetup(dir: string): string {
  const has = (name: string) => existsSync(path.join(dir, name));
  if (has("pnpm-lock.yaml")) return "pnpm install --frozen-lockfile";
  if (has("yarn.lock")) return "yarn install --frozen-lockfile";
  if (has("package-lock.json") || has("npm-shrinkwrap.json")) return "npm ci";
  if (has("package.json")) return "npm install --no-package-lock";
  if (has("requirements.txt")) return "pip install -r requirements.txt";
  if (has("pyproject.toml")) return "pip install -e .";
  return "npm ci";
}

/** `""`, or a sentence that starts with a newline and names the `setup:` to add (or to check). */
export function setupHint(results: readonly ValidationResult[], configured: readonly string[], dir: string): string {
  const missing = results.some((r) => r.exitCode !== 0 && MISSING.some((pattern) => pattern.test(r.outputTail)));
  if (!missing) return "";
  if (configured.length > 0) {
    return `\nA command or module was not found although \`setup:\` ran (${configured.map((c) => `\`${c}\``).join(", ")}): check that it installs what validation needs.`;
  }
  return `\nA command or module was not found: dependencies are not installed. Add to \`.github/okstra.yml\`:\n    setup:\n      - ${suggestedSetup(dir)}\nthen \`/okstra retry\`.`;
}
