import { lstat, readFile, readlink, realpath, stat } from "node:fs/promises";
import path from "node:path";
import type { CommentInfo } from "../../platform/types.js";
import { git } from "../../util/git.js";

/**
 * The planning context (SPEC §5.1 step 1), bounded by a character budget
 * (~4 characters a token; context-budget.ts derives it from the configured
 * tokens per analyser request): the repository tree, then the files the
 * issue points at — by path, then by identifiers a keyword search finds, most
 * mentions first — then README/CONTRIBUTING and the manifests. The most
 * relevant files come first so that a tight budget cuts the least relevant
 * ones. What did not fit is listed, never silently dropped.
 */

export interface IssueSnapshot {
  title: string;
  /** The body as shown to workers (truncated when huge; `bodyDigest` identifies the full text). */
  body: string;
  bodyTruncated: boolean;
  bodyChars: number;
  /** Comments created before the trigger and not edited after it. */
  comments: Array<{ author: string; createdAt: string; body: string }>;
}

export interface ContextFile {
  path: string;
  reason: "readme" | "contributing" | "manifest" | "named-in-issue" | "keyword";
  text: string;
  truncated: boolean;
}

export interface PlanningContext {
  baseCommit: string;
  tree: string[];
  treeTruncated: boolean;
  files: ContextFile[];
  omitted: Array<{ path: string; reason: string }>;
}

export const CONTEXT_BUDGET_CHARS = 160_000;
export const ISSUE_BODY_BUDGET_CHARS = 40_000;
const TREE_LIMIT = 2_000;
/** The tree may take at most this share of the budget: on a huge repository the files matter more than their names. */
const TREE_SHARE = 0.25;
const FILE_LIMIT_CHARS = 24_000;
const MANIFESTS = new Set([
  "package.json",
  "tsconfig.json",
  "Cargo.toml",
  "go.mod",
  "pyproject.toml",
  "setup.py",
  "requirements.txt",
  "pom.xml",
  "build.gradle",
  "build.gradle.kts",
  "Gemfile",
  "composer.json",
  "Makefile",
  "CMakeLists.txt",
  "mix.exs",
  ".github/okstra.yml",
]);

/** The issue as workers may see it: no comment created after the trigger or edited after it (an edit cannot inject text). */
export function snapshotIssue(
  issue: { title: string; body: string },
  comments: CommentInfo[],
  trigger: { id: number; createdAt: string },
  isOkstra: (author: string) => boolean,
): IssueSnapshot {
  const cutoff = Date.parse(trigger.createdAt);
  const visible = comments.filter(
    (c) =>
      c.id !== trigger.id &&
      !isOkstra(c.author) &&
      Date.parse(c.createdAt) < cutoff &&
      Date.parse(c.updatedAt) <= cutoff,
  );
  const body = issue.body ?? "";
  const truncated = body.length > ISSUE_BODY_BUDGET_CHARS;
  return {
    title: issue.title,
    body: truncated
      ? `${body.slice(0, ISSUE_BODY_BUDGET_CHARS)}\n\n[… the issue body is ${body.length.toLocaleString("en-US")} characters; only the first ${ISSUE_BODY_BUDGET_CHARS.toLocaleString("en-US")} are shown]`
      : body,
    bodyTruncated: truncated,
    bodyChars: body.length,
    comments: visible.map((c) => ({ author: c.author, createdAt: c.createdAt, body: c.body.slice(0, 8_000) })),
  };
}

export async function gatherContext(
  repoDir: string,
  issue: IssueSnapshot,
  budgetChars = CONTEXT_BUDGET_CHARS,
): Promise<PlanningContext> {
  const baseCommit = (await git(["rev-parse", "HEAD"], { cwd: repoDir })).stdout.trim();
  const allFiles = (await git(["ls-files", "-z"], { cwd: repoDir })).stdout.split("\0").filter(Boolean);
  const tree = treeWithin(allFiles, budgetChars * TREE_SHARE);
  // The base-commit line, the tree's heading and fences, and the "Not shown" heading.
  let remaining = budgetChars - tree.join("\n").length - 200;

  const candidates: Array<{ path: string; reason: ContextFile["reason"] }> = [];
  const add = (file: string, reason: ContextFile["reason"]) => {
    if (!candidates.some((c) => c.path === file)) candidates.push({ path: file, reason });
  };
  // Most relevant first: what the issue names, what mentions its identifiers, then the repository's own overview.
  const text = `${issue.title}\n${issue.body}\n${issue.comments.map((c) => c.body).join("\n")}`;
  for (const file of namedPaths(text, allFiles)) add(file, "named-in-issue");
  for (const file of await keywordMatches(repoDir, text)) add(file, "keyword");
  for (const file of allFiles) {
    const base = path.basename(file);
    if (/^readme(\.\w+)?$/i.test(base) && !file.includes("/")) add(file, "readme");
    else if (/^contributing(\.\w+)?$/i.test(base)) add(file, "contributing");
  }
  for (const file of allFiles) if (MANIFESTS.has(file)) add(file, "manifest");

  const files: ContextFile[] = [];
  const omitted: PlanningContext["omitted"] = [];
  for (const candidate of candidates) {
    const full = await readablePath(repoDir, candidate.path);
    if (!full.ok) {
      omitted.push({ path: candidate.path, reason: full.reason });
      continue;
    }
    const info = await stat(full.path).catch(() => null);
    if (!info?.isFile()) continue;
    if (info.size > 2_000_000) {
      omitted.push({ path: candidate.path, reason: `too large (${info.size} bytes)` });
      continue;
    }
    const content = await readFile(full.path, "utf8");
    if (content.includes("\0")) {
      omitted.push({ path: candidate.path, reason: "binary" });
      continue;
    }
    // What renderContext wraps a file in (heading, fences, the truncation mark) counts against the budget too.
    const wrapping = candidate.path.length + candidate.reason.length + 40;
    const limit = Math.min(FILE_LIMIT_CHARS, remaining - wrapping);
    if (limit < 500) {
      omitted.push({ path: candidate.path, reason: "context budget used up" });
      remaining -= candidate.path.length + 30;
      continue;
    }
    const truncated = content.length > limit;
    const shown = truncated ? content.slice(0, limit) : content;
    files.push({ path: candidate.path, reason: candidate.reason, text: shown, truncated });
    remaining -= shown.length + wrapping;
  }
  return { baseCommit, tree, treeTruncated: allFiles.length > tree.length, files, omitted };
}

/** The first paths of the tree, as many as fit `maxChars` (and at most TREE_LIMIT). */
function treeWithin(files: string[], maxChars: number): string[] {
  const tree: string[] = [];
  let used = 0;
  for (const file of files.slice(0, TREE_LIMIT)) {
    used += file.length + 1;
    if (used > maxChars) break;
    tree.push(file);
  }
  return tree;
}

/**
 * Where a tracked file's content is, judged with `lstat` (SPEC §14.4): a
 * symlink is followed only while it stays inside the clone; one that leaves
 * it (`/proc/self/environ`, a host file) is never read.
 */
async function readablePath(
  repoDir: string,
  file: string,
): Promise<{ ok: true; path: string } | { ok: false; reason: string }> {
  const full = path.join(repoDir, file);
  const info = await lstat(full).catch(() => null);
  if (!info?.isSymbolicLink()) return { ok: true, path: full };
  const target = await readlink(full);
  const root = await realpath(repoDir);
  const resolved = await realpath(full).catch(() => path.resolve(path.dirname(full), target));
  const relative = path.relative(root, resolved);
  if (
    relative === "" ||
    relative.startsWith("..") ||
    path.isAbsolute(relative) ||
    relative.split(path.sep)[0] === ".git"
  ) {
    return { ok: false, reason: `symlink leaving the clone (-> ${target}), not read` };
  }
  return { ok: true, path: resolved };
}

/** Repository paths the text names, in full or by a unique file name (`inventory.js`). */
function namedPaths(text: string, files: string[]): string[] {
  const tokens = new Set(text.match(/[\w./-]+\.[A-Za-z0-9]{1,8}\b/g) ?? []);
  const found: string[] = [];
  for (const token of tokens) {
    const clean = token.replace(/^\.\//, "");
    if (files.includes(clean)) found.push(clean);
    else {
      const byName = files.filter((f) => path.basename(f) === clean);
      if (byName.length === 1) found.push(byName[0]);
    }
  }
  return found.slice(0, 20);
}

/**
 * Files that mention the identifiers the issue puts in backticks (`toCsv`,
 * `Inventory`), most relevant first: the files mentioning more of the
 * identifiers, then those mentioning them on more lines.
 */
async function keywordMatches(repoDir: string, text: string): Promise<string[]> {
  const identifiers = [
    ...new Set([...text.matchAll(/`([A-Za-z_][\w.]{2,60})`/g)].map((m) => m[1].split(".").pop()!)),
  ].slice(0, 12);
  const scores = new Map<string, { identifiers: number; lines: number }>();
  for (const identifier of identifiers) {
    const result = await git(["grep", "-c", "-F", "-I", "-e", identifier], { cwd: repoDir, allowFailure: true });
    for (const line of result.stdout.split("\n").filter(Boolean)) {
      const at = line.lastIndexOf(":");
      const file = line.slice(0, at);
      const score = scores.get(file) ?? { identifiers: 0, lines: 0 };
      scores.set(file, { identifiers: score.identifiers + 1, lines: score.lines + Number(line.slice(at + 1)) });
    }
  }
  return [...scores.entries()]
    .sort((a, b) => b[1].identifiers - a[1].identifiers || b[1].lines - a[1].lines || a[0].localeCompare(b[0]))
    .slice(0, 12)
    .map(([file]) => file);
}

/** The context as the prompt's markdown. */
export function renderContext(context: PlanningContext): string {
  const lines = [`Base commit: \`${context.baseCommit}\``, "", "### Files in the repository", "```", ...context.tree];
  if (context.treeTruncated) lines.push("… (more files not listed)");
  lines.push("```");
  for (const file of context.files) {
    lines.push("", `### \`${file.path}\` (${file.reason})`, "```", file.text, "```");
    if (file.truncated) lines.push("(truncated)");
  }
  if (context.omitted.length > 0)
    lines.push("", "Not shown:", ...context.omitted.map((o) => `- \`${o.path}\`: ${o.reason}`));
  return lines.join("\n");
}

export function renderComments(issue: IssueSnapshot): string {
  if (issue.comments.length === 0) return "(none)";
  return issue.comments.map((c) => `**@${c.author}** (${c.createdAt}):\n${c.body}`).join("\n\n---\n\n");
}
