import { lstat, readFile, readlink, realpath, stat } from "node:fs/promises";
import path from "node:path";
import type { CommentInfo } from "../../platform/types.js";
import { git } from "../../util/git.js";

/**
 * The planning context (SPEC §5.1 step 1), bounded by a character budget
 * (~4 characters a token): the repository tree, README/CONTRIBUTING, the
 * manifests, and the files the issue points at — by path, or by identifiers
 * a keyword search finds. What did not fit is listed, never silently dropped.
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
    (c) => c.id !== trigger.id && !isOkstra(c.author) && Date.parse(c.createdAt) < cutoff && Date.parse(c.updatedAt) <= cutoff,
  );
  const body = issue.body ?? "";
  const truncated = body.length > ISSUE_BODY_BUDGET_CHARS;
  return {
    title: issue.title,
    body: truncated ? `${body.slice(0, ISSUE_BODY_BUDGET_CHARS)}\n\n[… the issue body is ${body.length.toLocaleString("en-US")} characters; only the first ${ISSUE_BODY_BUDGET_CHARS.toLocaleString("en-US")} are shown]` : body,
    bodyTruncated: truncated,
    bodyChars: body.length,
    comments: visible.map((c) => ({ author: c.author, createdAt: c.createdAt, body: c.body.slice(0, 8_000) })),
  };
}

export async function gatherContext(repoDir: string, issue: IssueSnapshot, budgetChars = CONTEXT_BUDGET_CHARS): Promise<PlanningContext> {
  const baseCommit = (await git(["rev-parse", "HEAD"], { cwd: repoDir })).stdout.trim();
  const allFiles = (await git(["ls-files", "-z"], { cwd: repoDir })).stdout.split("\0").filter(Boolean);
  const tree = allFiles.slice(0, TREE_LIMIT);
  let remaining = budgetChars - tree.join("\n").length;

  const candidates: Array<{ path: string; reason: ContextFile["reason"] }> = [];
  const add = (file: string, reason: ContextFile["reason"]) => {
    if (!candidates.some((c) => c.path === file)) candidates.push({ path: file, reason });
  };
  for (const file of allFiles) {
    const base = path.basename(file);
    if (/^readme(\.\w+)?$/i.test(base) && !file.includes("/")) add(file, "readme");
    else if (/^contributing(\.\w+)?$/i.test(base)) add(file, "contributing");
  }
  for (const file of allFiles) if (MANIFESTS.has(file)) add(file, "manifest");
  const text = `${issue.title}\n${issue.body}\n${issue.comments.map((c) => c.body).join("\n")}`;
  for (const file of namedPaths(text, allFiles)) add(file, "named-in-issue");
  for (const file of await keywordMatches(repoDir, text)) add(file, "keyword");

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
    const limit = Math.min(FILE_LIMIT_CHARS, remaining);
    if (limit < 500) {
      omitted.push({ path: candidate.path, reason: "context budget used up" });
      continue;
    }
    const truncated = content.length > limit;
    const shown = truncated ? content.slice(0, limit) : content;
    files.push({ path: candidate.path, reason: candidate.reason, text: shown, truncated });
    remaining -= shown.length;
  }
  return { baseCommit, tree, treeTruncated: allFiles.length > tree.length, files, omitted };
}

/**
 * Where a tracked file's content is, judged with `lstat` (SPEC §14.4): a
 * symlink is followed only while it stays inside the clone; one that leaves
 * it (`/proc/self/environ`, a host file) is never read.
 */
async function readablePath(repoDir: string, file: string): Promise<{ ok: true; path: string } | { ok: false; reason: string }> {
  const full = path.join(repoDir, file);
  const info = await lstat(full).catch(() => null);
  if (!info?.isSymbolicLink()) return { ok: true, path: full };
  const target = await readlink(full);
  const root = await realpath(repoDir);
  const resolved = await realpath(full).catch(() => path.resolve(path.dirname(full), target));
  const relative = path.relative(root, resolved);
  if (relative === "" || relative.startsWith("..") || path.isAbsolute(relative) || relative.split(path.sep)[0] === ".git") {
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

/** Files that mention the identifiers the issue puts in backticks (`toCsv`, `Inventory`), most mentions first. */
async function keywordMatches(repoDir: string, text: string): Promise<string[]> {
  const identifiers = [...new Set([...text.matchAll(/`([A-Za-z_][\w.]{2,60})`/g)].map((m) => m[1].split(".").pop()!))].slice(0, 12);
  const counts = new Map<string, number>();
  for (const identifier of identifiers) {
    const result = await git(["grep", "-l", "-F", "-I", "-e", identifier], { cwd: repoDir, allowFailure: true });
    for (const file of result.stdout.split("\n").filter(Boolean)) counts.set(file, (counts.get(file) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
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
  if (context.omitted.length > 0) lines.push("", "Not shown:", ...context.omitted.map((o) => `- \`${o.path}\`: ${o.reason}`));
  return lines.join("\n");
}

export function renderComments(issue: IssueSnapshot): string {
  if (issue.comments.length === 0) return "(none)";
  return issue.comments.map((c) => `**@${c.author}** (${c.createdAt}):\n${c.body}`).join("\n\n---\n\n");
}
