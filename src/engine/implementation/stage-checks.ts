import path from "node:path";
import { git } from "../../util/git.js";
import type { PlanStage } from "../../plan/plan-schema.js";
import { globsOverlap } from "../planning/validator/glob-overlap.js";
import { predictedFiles } from "../planning/validator/predicted-files.js";
import type { ChangedFile, CommitInfo, FileAddedLines } from "../../workspace/git-output.js";
import { failedValidations, type ValidationResult } from "./run-validation.js";

/**
 * okstra's own judgement of a stage (SPEC §6.3 step 4), from what git and the
 * validation commands say — never from what the executor claims. Pure: the
 * caller gathers the facts from the workspace.
 */

export type StageCheckFailure =
  | "contract-violated"
  | "non-conventional-commit"
  | "okstra-path-committed"
  | "placeholder"
  | "symlink-outside-clone"
  | "validation-failed"
  | "validation-timeout";

export interface Placeholder {
  path: string;
  line: number;
  text: string;
  justified: boolean;
}

export interface StageCheckResult {
  failures: Array<{ reason: StageCheckFailure; detail: string }>;
  outOfPlanEdits: Array<{ path: string; reason: string }>;
  placeholders: Placeholder[];
}

/** Conventional Commits 1.0: `type(scope)!: description`. */
const CONVENTIONAL = /^(feat|fix|docs|style|refactor|perf|test|build|ci|chore|revert)(\([^()\r\n]+\))?!?: \S/;
const PLACEHOLDER_WORDS = /\b(TBD|TODO|FIXME|XXX)\b/;
const PLACEHOLDER_PHRASES = /implement later|placeholder/i;

export function isConventionalCommit(subject: string): boolean {
  return CONVENTIONAL.test(subject);
}

export function checkStage(input: {
  stage: PlanStage;
  commits: CommitInfo[];
  changed: ChangedFile[];
  addedLines: FileAddedLines[];
  validation: ValidationResult[];
  /** `path:line` entries the executor justified in its notes. */
  justified: Set<string>;
  /** Committed symlinks whose target leaves the clone (`linksLeavingClone`). */
  escapingLinks?: EscapingLink[];
}): StageCheckResult {
  const failures: StageCheckResult["failures"] = [];
  for (const link of input.escapingLinks ?? [])
    failures.push({ reason: "symlink-outside-clone", detail: `${link.path} -> ${link.target}` });

  if (input.commits.length === 0 || input.changed.length === 0) {
    failures.push({
      reason: "contract-violated",
      detail: input.commits.length === 0 ? "the executor made no commit" : "the executor's commits change no file",
    });
  }
  const badMessages = input.commits.filter((c) => !isConventionalCommit(c.subject));
  if (badMessages.length > 0) {
    failures.push({
      reason: "non-conventional-commit",
      detail: badMessages.map((c) => `${c.sha.slice(0, 12)} "${c.subject}"`).join("; "),
    });
  }
  const okstraPaths = input.changed.filter((f) => f.path === ".okstra" || f.path.startsWith(".okstra/"));
  if (okstraPaths.length > 0)
    failures.push({ reason: "okstra-path-committed", detail: okstraPaths.map((f) => f.path).join(", ") });

  const placeholders: Placeholder[] = input.addedLines.flatMap((file) =>
    file.lines
      .filter((l) => PLACEHOLDER_WORDS.test(l.text) || PLACEHOLDER_PHRASES.test(l.text))
      .map((l) => ({
        path: file.path,
        line: l.line,
        text: l.text.trim().slice(0, 200),
        justified: input.justified.has(`${file.path}:${l.line}`),
      })),
  );
  const unjustified = placeholders.filter((p) => !p.justified);
  if (unjustified.length > 0)
    failures.push({
      reason: "placeholder",
      detail: unjustified.map((p) => `${p.path}:${p.line}: ${p.text}`).join("; "),
    });

  const predicted = predictedFiles(input.stage);
  const outOfPlanEdits = input.changed
    .filter((f) => !predicted.some((pattern) => globsOverlap(f.path, pattern)))
    .map((f) => ({ path: f.path, reason: `${f.status}, not in the stage's exit contract or step files` }));

  for (const result of failedValidations(input.validation)) {
    failures.push({
      reason: result.timedOut ? "validation-timeout" : "validation-failed",
      detail: `${result.phase} \`${result.command}\` ${result.timedOut ? "timed out" : `exited ${result.exitCode}`}`,
    });
  }
  return { failures, outOfPlanEdits, placeholders };
}

/** `path:line` pairs an executor listed as justified placeholders in its notes (`justified: src/a.ts:12 — reason`). */
export function justifiedPlaceholders(notes: string | undefined): Set<string> {
  const found = new Set<string>();
  for (const match of (notes ?? "").matchAll(/justified:\s*([^\s:]+):(\d+)/gi)) found.add(`${match[1]}:${match[2]}`);
  return found;
}

export interface EscapingLink {
  path: string;
  target: string;
}

/**
 * The symlinks the stage's commits add or change that point out of the clone
 * (SPEC §14.4), judged from the commits — mode 120000 and the link's blob —
 * never from the working tree, which the validation commands could have
 * changed since; a target is never followed. A link to `/proc/self/environ`
 * or `../../okstra-cache` fails the stage.
 */
export async function linksLeavingClone(repoDir: string, baseCommit: string): Promise<EscapingLink[]> {
  const raw = await git(["diff", "--raw", "-z", "--no-renames", "--no-abbrev", baseCommit, "HEAD"], { cwd: repoDir });
  // `:<old mode> <new mode> <old blob> <new blob> <status>\0<path>\0`, one pair of fields per change.
  const fields = raw.stdout.split("\0");
  const found: EscapingLink[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const [, newMode, , blob] = fields[i]!.slice(1).split(" ");
    if (newMode !== "120000") continue;
    const file = fields[i + 1]!;
    const target = (await git(["cat-file", "blob", blob!], { cwd: repoDir })).stdout;
    if (!insideClone(repoDir, path.resolve(path.dirname(path.join(repoDir, file)), target)))
      found.push({ path: file, target });
  }
  return found;
}

/** Inside the clone's working tree, and not into its `.git`. */
export function insideClone(repoDir: string, resolved: string): boolean {
  const relative = path.relative(repoDir, resolved);
  return (
    relative !== "" &&
    !relative.startsWith("..") &&
    !path.isAbsolute(relative) &&
    relative.split(path.sep)[0] !== ".git"
  );
}
