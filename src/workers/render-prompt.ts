import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Prompt templates live in `prompts/<phase>-<role>.md` with named
 * placeholders such as `{{stage.title}}` (a dotted path into the values).
 * A placeholder without a value is an error, never an empty string: a prompt
 * silently missing its diff would let a verifier "verify" nothing.
 * Strings are inserted as they are; anything else as pretty-printed JSON.
 *
 * A template may open with `{{> <name>}}` on its first line: the shared
 * context template `<name>` (the issue, the plan, the repository context, the
 * diff) comes first, the role's own text after it. Every call of a run that
 * opens with the same context therefore shares that text byte for byte as a
 * prefix, and `renderPromptParts` says where it ends, so a provider with
 * prompt caching puts its breakpoint there (providers/anthropic.ts).
 */

export type PromptValues = Record<string, unknown>;

export class PromptRenderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PromptRenderError";
  }
}

const PLACEHOLDER = /\{\{\s*([\w-]+(?:\.[\w-]+)*)\s*\}\}/g;

/** The okstra package's root (where package.json and prompts/ are), found from this file whether it runs from src/ or dist/. */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, "package.json")) && existsSync(path.join(dir, "prompts"))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new PromptRenderError("cannot find the prompts/ folder of the okstra package");
    dir = parent;
  }
}

/** The `prompts/` folder of the package. */
export function promptsDir(): string {
  return path.join(packageRoot(), "prompts");
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
  return typeof value === "string"
    ? value
    : typeof value === "number" || typeof value === "boolean"
      ? String(value)
      : JSON.stringify(value, null, 2);
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
  if (missing.length > 0)
    throw new PromptRenderError(`prompt ${name} has no value for ${missing.map((m) => `{{${m}}}`).join(", ")}`);
  return template.replace(PLACEHOLDER, (_, key: string) => asText(lookup(values, key)));
}

const cache = new Map<string, string>();
const INCLUDE = /^\{\{>\s*([a-z0-9]+(?:-[a-z0-9]+)*)\s*\}\}\n/;

function readTemplate(name: string, dir: string): string {
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(name))
    throw new PromptRenderError(`invalid prompt name ${JSON.stringify(name)}`);
  const file = path.join(dir, `${name}.md`);
  const cached = cache.get(file);
  if (cached !== undefined) return cached;
  if (!existsSync(file)) throw new PromptRenderError(`no prompt template ${file}`);
  const text = readFileSync(file, "utf8");
  cache.set(file, text);
  return text;
}

/** A template split at its shared-context include: `context` is empty when it has none. */
export function templateParts(name: string, dir: string = promptsDir()): { context: string; own: string } {
  const text = readTemplate(name, dir);
  const include = INCLUDE.exec(text);
  if (!include) return { context: "", own: text };
  const context = readTemplate(include[1], dir);
  if (INCLUDE.test(context))
    throw new PromptRenderError(`prompt ${include[1]} is a context template and cannot include another`);
  return { context, own: text.slice(include[0].length) };
}

/** The whole template text, its context include expanded. */
export function loadTemplate(name: string, dir: string = promptsDir()): string {
  const { context, own } = templateParts(name, dir);
  return context + own;
}

export interface RenderedPrompt {
  prompt: string;
  /** Characters at the start of `prompt` that come from the shared context template (0 when there is none). */
  stablePrefixLength: number;
}

/** Renders `prompts/<name>.md` with `values` and says where its shared context ends. */
export function renderPromptParts(name: string, values: PromptValues, options: { dir?: string } = {}): RenderedPrompt {
  const { context, own } = templateParts(name, options.dir);
  // Checked as a whole first, so an error names every missing placeholder at once.
  renderTemplate(context + own, values, name);
  const prefix = renderTemplate(context, values, name);
  return { prompt: prefix + renderTemplate(own, values, name), stablePrefixLength: prefix.length };
}

/** Renders `prompts/<name>.md` with `values`; throws PromptRenderError naming every missing placeholder. */
export function renderPrompt(name: string, values: PromptValues, options: { dir?: string } = {}): string {
  return renderPromptParts(name, values, options).prompt;
}
