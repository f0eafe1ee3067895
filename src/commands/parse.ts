import { z } from "zod";
import { PROVIDERS } from "../config/schema.js";
import type { Command, ParsedComment, StageSelection, Verb } from "./types.js";
import { VERBS, fullUsage, usageOf } from "./usage.js";

/**
 * The `/okstra` grammar (SPEC §2): the comment's first line is the command,
 * every later line is free-text guidance for the workers. Each verb declares
 * its options with zod, so every malformed value is reported with the exact
 * problem and the verb's usage.
 */

const PREFIX = /^\/okstra(?=\s|$)/i;

export function isOkstraCommand(body: string): boolean {
  return PREFIX.test(firstLine(body));
}

export function parseComment(body: string): ParsedComment {
  const normalised = body.replace(/\r\n?/g, "\n").replace(/^\s*\n/, "");
  const line = firstLine(normalised).trim();
  if (!PREFIX.test(line)) return { kind: "not-a-command" };
  const guidance = normalised.split("\n").slice(1).join("\n").trim();
  const words = line.replace(PREFIX, "").trim().split(/\s+/).filter(Boolean);
  const [verbWord, ...rest] = words;

  if (!verbWord) return invalid(line, "No command given after `/okstra`.", fullUsage());
  const verb = verbWord.toLowerCase();
  if (!isVerb(verb)) {
    const suggestion = closestVerb(verb);
    const hint = suggestion ? ` Did you mean \`/okstra ${suggestion}\`?` : "";
    return invalid(line, `Unknown command \`${verbWord}\`.${hint}`, fullUsage());
  }

  const args = splitArguments(rest);
  if (!args.ok) return invalid(line, args.problem, usageOf(verb));
  const parsed = VERB_PARSERS[verb](args.positionals, args.options);
  if (!parsed.ok) return invalid(line, parsed.problem, usageOf(verb));
  return { kind: "command", command: parsed.command, line, guidance };
}

function firstLine(body: string): string {
  return body.trimStart().split(/\r?\n/, 1)[0] ?? "";
}

function invalid(line: string, problem: string, usage: string): ParsedComment {
  return { kind: "invalid", line, problem, usage };
}

function isVerb(word: string): word is Verb {
  return (VERBS as string[]).includes(word);
}

type Parsed = { ok: true; command: Command } | { ok: false; problem: string };
type Options = Map<string, string | true>;

/** `--name value`, `--name=value` and bare `--flag`; everything else is positional. */
function splitArguments(
  words: string[],
): { ok: true; positionals: string[]; options: Options } | { ok: false; problem: string } {
  const positionals: string[] = [];
  const options: Options = new Map();
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    if (!word.startsWith("--")) {
      positionals.push(word);
      continue;
    }
    const eq = word.indexOf("=");
    const name = (eq >= 0 ? word.slice(2, eq) : word.slice(2)).toLowerCase();
    if (!name) return { ok: false, problem: `\`${word}\` is not an option.` };
    if (options.has(name)) return { ok: false, problem: `\`--${name}\` is given twice.` };
    if (eq >= 0) options.set(name, word.slice(eq + 1));
    else if (i + 1 < words.length && !words[i + 1].startsWith("--")) options.set(name, words[++i]);
    else options.set(name, true);
  }
  return { ok: true, positionals, options };
}

// ---- value schemas: each message is what the user reads ----

const stageNumber = z
  .string()
  .regex(/^[1-9]\d{0,2}$/, { error: (issue) => `must be a stage number like \`2\`, got \`${String(issue.input)}\`` })
  .transform(Number);

const stageOrAuto = z.union([z.literal("auto"), stageNumber], {
  error: (issue) => `must be \`auto\` or a stage number, got \`${String(issue.input)}\``,
});

/** A branch name git would accept (git check-ref-format, the common cases). */
const branchName = z
  .string()
  .refine((name) => /^(?!-)(?!.*\.\.)(?!.*\/\/)(?!.*@\{)[^\s~^:?*[\\]+(?<![./]|\.lock)$/.test(name), {
    error: (issue) => `\`${String(issue.input)}\` is not a valid branch name`,
  });

const ownBranch = (issue: { input: unknown }) =>
  `\`${String(issue.input)}\` is one of okstra's own branches (\`okstra/…\`); the base must be a branch of the repository's, such as its default branch`;

/** A task's base is never one of okstra's branches (the ledger, a stage or group branch): work planned onto it would never reach the repository. */
const taskBase = branchName.refine((name) => !/^okstra(\/|$)/i.test(name), { error: ownBranch });

/** A group may stack on another group's collector branch (`okstra/<N>/group-…`), never on the ledger or a stage branch. */
const shipBase = branchName.refine(
  (name) => !/^okstra(\/|$)/i.test(name) || /^okstra\/[1-9]\d*\/group-[\d-]+$/.test(name),
  { error: ownBranch },
);

const workerList = z
  .string()
  .transform((value) =>
    value
      .split(",")
      .map((name) => name.trim())
      .filter(Boolean),
  )
  .pipe(
    z
      .array(
        z.enum(PROVIDERS, {
          error: (issue) => `\`${String(issue.input)}\` is not a provider (one of ${PROVIDERS.join(", ")})`,
        }),
      )
      .min(1, { error: "needs at least one provider" }),
  );

/** `all`, `1,2,4`, `1-3`, or a mix such as `1-3,5`. */
const stageSelection = z.string().transform((value, ctx): StageSelection => {
  if (value.toLowerCase() === "all") return { kind: "all" };
  const stages = new Set<number>();
  for (const part of value.split(",")) {
    const range = /^([1-9]\d{0,2})(?:-([1-9]\d{0,2}))?$/.exec(part.trim());
    if (!range) {
      ctx.addIssue({ code: "custom", message: `\`${value}\` is not a stage list: use \`1,2,4\`, \`1-3\` or \`all\`` });
      return z.NEVER;
    }
    const from = Number(range[1]);
    const to = range[2] ? Number(range[2]) : from;
    if (to < from) {
      ctx.addIssue({ code: "custom", message: `the range \`${part}\` runs backwards: write \`${to}-${from}\`` });
      return z.NEVER;
    }
    for (let stage = from; stage <= to; stage++) stages.add(stage);
  }
  return { kind: "list", stages: [...stages].sort((a, b) => a - b) };
});

/** The full ledger commit `/okstra adopt` showed: a prefix could name a commit nobody was shown. */
const ledgerCommit = z
  .string()
  .regex(
    /^[0-9a-f]{40}([0-9a-f]{24})?$/,
    "must be the full ledger commit id `/okstra adopt` showed (40 hex characters)",
  );

// ---- per-verb parsers ----

interface VerbSpec<T extends Record<string, unknown>> {
  positional?: { name: string; schema: z.ZodType<unknown, string>; required: boolean };
  options: { [K in keyof T]?: z.ZodType<unknown, string> };
  build(values: Record<string, unknown>): Command;
}

function verbParser<T extends Record<string, unknown>>(verb: Verb, spec: VerbSpec<T>) {
  return (positionals: string[], options: Options): Parsed => {
    const values: Record<string, unknown> = {};
    const maxPositionals = spec.positional ? 1 : 0;
    if (positionals.length > maxPositionals) {
      const extra = positionals
        .slice(maxPositionals)
        .map((p) => `\`${p}\``)
        .join(" ");
      return { ok: false, problem: `\`/okstra ${verb}\` takes no argument ${extra}.` };
    }
    if (spec.positional) {
      const raw = positionals[0];
      if (raw === undefined) {
        if (spec.positional.required)
          return { ok: false, problem: `\`/okstra ${verb}\` needs ${spec.positional.name}.` };
      } else {
        const result = spec.positional.schema.safeParse(raw);
        if (!result.success)
          return { ok: false, problem: `${spec.positional.name}: ${result.error.issues[0].message}.` };
        values[spec.positional.name] = result.data;
      }
    }
    for (const [name, raw] of options) {
      const schema = spec.options[name as keyof T];
      if (!schema) {
        const known = Object.keys(spec.options).map((o) => `\`--${o}\``);
        const allowed = known.length > 0 ? `it takes ${known.join(", ")}` : "it takes no options";
        return { ok: false, problem: `\`/okstra ${verb}\` has no option \`--${name}\`; ${allowed}.` };
      }
      if (raw === true) return { ok: false, problem: `\`--${name}\` needs a value.` };
      const result = schema.safeParse(raw);
      if (!result.success) return { ok: false, problem: `\`--${name}\` ${result.error.issues[0].message}.` };
      values[name] = result.data;
    }
    return { ok: true, command: spec.build(values) };
  };
}

const VERB_PARSERS: Record<Verb, (positionals: string[], options: Options) => Parsed> = {
  plan: verbParser("plan", {
    options: { base: taskBase, workers: workerList },
    build: (v) => ({ verb: "plan", base: v.base as string | undefined, workers: v.workers as string[] | undefined }),
  }),
  replan: verbParser("replan", { options: {}, build: () => ({ verb: "replan" }) }),
  approve: verbParser("approve", { options: {}, build: () => ({ verb: "approve" }) }),
  implement: verbParser("implement", {
    options: { stage: stageOrAuto },
    build: (v) => ({ verb: "implement", stage: (v.stage as "auto" | number | undefined) ?? "auto" }),
  }),
  verify: verbParser("verify", {
    options: { stage: stageNumber },
    build: (v) => ({ verb: "verify", stage: v.stage as number | undefined }),
  }),
  ship: verbParser("ship", {
    positional: { name: "STAGES", schema: stageSelection, required: true },
    options: { base: shipBase },
    build: (v) => ({ verb: "ship", stages: v.STAGES as StageSelection, base: v.base as string | undefined }),
  }),
  status: verbParser("status", { options: {}, build: () => ({ verb: "status" }) }),
  retry: verbParser("retry", {
    options: { stage: stageNumber },
    build: (v) => ({ verb: "retry", stage: v.stage as number | undefined }),
  }),
  cancel: verbParser("cancel", { options: {}, build: () => ({ verb: "cancel" }) }),
  revise: verbParser("revise", {
    options: { stage: stageNumber },
    build: (v) => ({ verb: "revise", stage: v.stage as number | undefined }),
  }),
  restack: verbParser("restack", {
    options: { stage: stageNumber },
    build: (v) => ({ verb: "restack", stage: v.stage as number | undefined }),
  }),
  adopt: verbParser("adopt", {
    options: { at: ledgerCommit },
    build: (v) => ({ verb: "adopt", at: v.at as string | undefined }),
  }),
  help: verbParser("help", { options: {}, build: () => ({ verb: "help" }) }),
};

/** A verb within two edits of the typo, for "did you mean". */
function closestVerb(word: string): Verb | null {
  let best: { verb: Verb; distance: number } | null = null;
  for (const verb of VERBS) {
    const distance = editDistance(word, verb);
    if (distance <= 2 && (!best || distance < best.distance)) best = { verb, distance };
  }
  return best?.verb ?? null;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}
