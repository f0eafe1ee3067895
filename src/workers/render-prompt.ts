import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Prompt templates live in `prompts/<phase>-<role>.md` with named
 * placeholders such as `{{stage.title}}` (a dotted path into the values).
 * A placeholder without a value is an error, never an empty string: a prompt
 * silently missing its diff would let a verifier "verify" nothing.
 * Strings are inserted as they are; anything else as pretty-printed JSON.
 */

export type PromptValues = Record<string, unknown>;

export class PromptRenderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PromptRenderError";
  }
}

const PLACEHOLDER = /\{\{\s*([\w-]+(?:\.[\w-]+)*)\s*\}\}/g;

/** The `prompts/` folder of the package, found from this file whether it runs from src/ or dist/. */
export function promptsDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, "prompts");
    if (existsSync(path.join(dir, "package.json")) && existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new PromptRenderError("cannot find the prompts/ folder of the okstra package");
    dir = parent;
  }
}

function lookup(values: PromptValues, dotted: string): unknown {
  let current: unknown = values;
  for (const key of dotted.split(".")) {
    if (typeof current !== "object" || current === null || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function asText(value: unknown): string {
  return typeof value === "string" ? value : typeof value === "number" || typeof value === "boolean" ? String(value) : JSON.stringify(value, null, 2);
}

/** The placeholders a template uses, for tests and for callers that assemble values. */
export function placeholdersOf(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1]))].sort();
}

export function renderTemplate(template: string, values: PromptValues, name = "template"): string {
  const missing = placeholdersOf(template).filter((key) => {
    const value = lookup(values, key);
    return value === undefined || value === null;
  });
  if (missing.length > 0) throw new PromptRenderError(`prompt ${name} has no value for ${missing.map((m) => `{{${m}}}`).join(", ")}`);
  return template.replace(PLACEHOLDER, (_, key: string) => asText(lookup(values, key)));
}

const cache = new Map<string, string>();

export function loadTemplate(name: string, dir: string = promptsDir()): string {
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(name)) throw new PromptRenderError(`invalid prompt name ${JSON.stringify(name)}`);
  const file = path.join(dir, `${name}.md`);
  const cached = cache.get(file);
  if (cached !== undefined) return cached;
  if (!existsSync(file)) throw new PromptRenderError(`no prompt template ${file}`);
  const text = readFileSync(file, "utf8");
  cache.set(file, text);
  return text;
}

/** Renders `prompts/<name>.md` with `values`; throws PromptRenderError naming every missing placeholder. */
export function renderPrompt(name: string, values: PromptValues, options: { dir?: string } = {}): string {
  return renderTemplate(loadTemplate(name, options.dir), values, name);
}
