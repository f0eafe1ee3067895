import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";
import type { CheckAnnotation, CheckConclusion, CheckRunAction, CheckStatus, ReactionContent } from "../types.js";
import { LocalPlatformError } from "./errors.js";
import { localBranchMergedInto } from "./repository.js";
import {
  claimExact,
  claimId,
  ensureStore,
  readClaim,
  readJson,
  recordNumbers,
  storePath,
  withLock,
  writeJsonAtomic,
} from "./store.js";

/**
 * The JSON records of the local platform (SPEC §11.1) and the helpers the CLI
 * and tests use to read and seed them. Field names are the documented file
 * format; fields beyond it (author, merged, externalId, …) are additions.
 */

export interface LocalIssue {
  number: number;
  title: string;
  body: string;
  author: string;
}

export interface LocalReaction {
  content: ReactionContent;
  user: string;
  createdAt: string;
}

export interface LocalComment {
  id: number;
  author: string;
  body: string;
  createdAt: string;
  updatedAt: string;
  reactions: LocalReaction[];
  issue: number;
}

export interface LocalPull {
  number: number;
  title: string;
  body: string;
  head: string;
  base: string;
  draft: boolean;
  state: "open" | "closed";
  createdAt: string;
  updatedAt: string;
  merged: boolean;
  author: string;
}

export interface LocalCheckRun {
  id: number;
  name: string;
  headSha: string;
  status: CheckStatus;
  conclusion: CheckConclusion | null;
  output: { title: string | null; summary: string | null; text: string | null; annotations: CheckAnnotation[] };
  externalId: string | null;
  actions: CheckRunAction[];
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
}

const paths = {
  issue: (dir: string, n: number) => storePath(dir, "issues", `${n}.json`),
  // A pull request's conversation comments live beside it (SPEC §11.1); an issue's beside the issue.
  comments: (dir: string, issue: number) => storePath(dir, conversationRoot(dir, issue), String(issue), "comments"),
  comment: (dir: string, issue: number, id: number) =>
    storePath(dir, conversationRoot(dir, issue), String(issue), "comments", `${id}.json`),
  pulls: (dir: string) => storePath(dir, "pulls"),
  pull: (dir: string, n: number) => storePath(dir, "pulls", `${n}.json`),
  checkRuns: (dir: string) => storePath(dir, "check-runs"),
  checkRun: (dir: string, id: number) => storePath(dir, "check-runs", `${id}.json`),
  // Claim registries: one empty-ish file per id ever handed out.
  numberIds: (dir: string) => storePath(dir, "ids", "numbers"),
  commentIds: (dir: string) => storePath(dir, "ids", "comments"),
  checkRunIds: (dir: string) => storePath(dir, "ids", "check-runs"),
};
export const localPaths = paths;

/** Numbers are shared by issues and pull requests, and a pull request's file is never removed, so its presence decides. */
function conversationRoot(dir: string, number: number): "pulls" | "issues" {
  return existsSync(storePath(dir, "pulls", `${number}.json`)) ? "pulls" : "issues";
}

export function fileUrl(path: string): string {
  return pathToFileURL(path).href;
}

const now = () => new Date().toISOString();

/**
 * Writes (or rewrites) issue N. Issues and pull requests share one number
 * space, as on GitHub, so a number already used by a pull request is refused.
 */
export async function createLocalIssue(repoDir: string, issue: LocalIssue): Promise<LocalIssue> {
  if (!Number.isInteger(issue.number) || issue.number < 1)
    throw new LocalPlatformError(422, `issue number must be a positive integer, got ${issue.number}`);
  await ensureStore(repoDir);
  await claimExact(paths.numberIds(repoDir), issue.number, "issue");
  if (
    (await readJson(paths.pull(repoDir, issue.number))) !== null ||
    (await readClaim(paths.numberIds(repoDir), issue.number)) === "pull"
  ) {
    throw new LocalPlatformError(422, `#${issue.number} is a pull request, not an issue`);
  }
  const record: LocalIssue = { number: issue.number, title: issue.title, body: issue.body, author: issue.author };
  await writeJsonAtomic(paths.issue(repoDir, issue.number), record);
  return record;
}

export async function readLocalIssue(repoDir: string, number: number): Promise<LocalIssue | null> {
  return readJson<LocalIssue>(paths.issue(repoDir, number));
}

/** A pull request as GitHub would show it now, merged state included (see `refreshMerged`). */
export async function readLocalPull(repoDir: string, number: number): Promise<LocalPull | null> {
  const pull = await readJson<LocalPull>(paths.pull(repoDir, number));
  return pull === null ? null : refreshMerged(repoDir, pull);
}

/**
 * GitHub marks an open pull request merged once its base branch contains the
 * head's commits, however they got there. Locally the user merges with git in
 * DIR, so the same rule is applied when a pull request is read.
 */
async function refreshMerged(repoDir: string, pull: LocalPull): Promise<LocalPull> {
  if (pull.state !== "open" || !(await localBranchMergedInto(repoDir, pull.head, pull.base))) return pull;
  return updateLocalPull(repoDir, pull.number, (current) =>
    current.state === "open" ? { ...current, state: "closed", merged: true } : current,
  );
}

/** Comments live under their issue (or pull request) number; commenting on a number that is neither is a 404, as on GitHub. */
async function requireIssueOrPull(repoDir: string, number: number): Promise<void> {
  if ((await readLocalIssue(repoDir, number)) !== null || (await readJson(paths.pull(repoDir, number))) !== null)
    return;
  throw new LocalPlatformError(
    404,
    `issue #${number} does not exist in ${storePath(repoDir, "issues")} (create it first, e.g. from an issue file)`,
  );
}

/** Every comment of an issue, oldest first (ids grow with time, as on GitHub). */
export async function readLocalComments(repoDir: string, issue: number): Promise<LocalComment[]> {
  const ids = await recordNumbers(paths.comments(repoDir, issue));
  const comments = await Promise.all(ids.map((id) => readJson<LocalComment>(paths.comment(repoDir, issue, id))));
  return comments.filter((c): c is LocalComment => c !== null);
}

/** Posts a comment as `author`: the CLI posts the user's command through this, okstra its own comments. */
export async function addLocalComment(
  repoDir: string,
  issue: number,
  comment: { author: string; body: string },
): Promise<LocalComment> {
  await ensureStore(repoDir);
  await requireIssueOrPull(repoDir, issue);
  // Comment ids are unique across all issues, like GitHub's; the claim records the issue for lookups by id.
  const id = await claimId(paths.commentIds(repoDir), { note: String(issue) });
  const at = now();
  const record: LocalComment = {
    id,
    author: comment.author,
    body: comment.body,
    createdAt: at,
    updatedAt: at,
    reactions: [],
    issue,
  };
  await writeJsonAtomic(paths.comment(repoDir, issue, id), record);
  return record;
}

/** Read-modify-write of one comment under its lock; 404 when the id was never handed out. */
export async function updateLocalComment(
  repoDir: string,
  id: number,
  change: (comment: LocalComment) => LocalComment,
): Promise<LocalComment> {
  const issue = Number(await readClaim(paths.commentIds(repoDir), id));
  const file = paths.comment(repoDir, issue, id);
  return withLock(file, async () => {
    const current = issue > 0 ? await readJson<LocalComment>(file) : null;
    if (current === null) throw new LocalPlatformError(404, `comment ${id} does not exist`);
    const next = change(current);
    await writeJsonAtomic(file, next);
    return next;
  });
}

export function commentFileUrl(repoDir: string, comment: LocalComment): string {
  return fileUrl(paths.comment(repoDir, comment.issue, comment.id));
}

export async function listLocalPulls(repoDir: string): Promise<LocalPull[]> {
  const numbers = await recordNumbers(paths.pulls(repoDir));
  const pulls = await Promise.all(numbers.map((n) => readLocalPull(repoDir, n)));
  return pulls.filter((p): p is LocalPull => p !== null);
}

/** Allocates the next number in the shared issue/PR space (above every issue file too) and writes the pull request. */
export async function insertLocalPull(
  repoDir: string,
  pull: Omit<LocalPull, "number" | "createdAt" | "updatedAt">,
): Promise<LocalPull> {
  await ensureStore(repoDir);
  const issueNumbers = await recordNumbers(storePath(repoDir, "issues"));
  const number = await claimId(paths.numberIds(repoDir), { floor: Math.max(0, ...issueNumbers), note: "pull" });
  const at = now();
  const record: LocalPull = { number, ...pull, createdAt: at, updatedAt: at };
  await writeJsonAtomic(paths.pull(repoDir, number), record);
  return record;
}

export async function updateLocalPull(
  repoDir: string,
  number: number,
  change: (pull: LocalPull) => LocalPull,
): Promise<LocalPull> {
  const file = paths.pull(repoDir, number);
  return withLock(file, async () => {
    const current = await readJson<LocalPull>(file);
    if (current === null) throw new LocalPlatformError(404, `pull request #${number} does not exist`);
    const next = { ...change(current), updatedAt: now() };
    await writeJsonAtomic(file, next);
    return next;
  });
}

export async function listLocalCheckRuns(repoDir: string): Promise<LocalCheckRun[]> {
  const ids = await recordNumbers(paths.checkRuns(repoDir));
  const runs = await Promise.all(ids.map((id) => readJson<LocalCheckRun>(paths.checkRun(repoDir, id))));
  return runs.filter((r): r is LocalCheckRun => r !== null);
}

export async function insertLocalCheckRun(
  repoDir: string,
  run: Omit<LocalCheckRun, "id" | "createdAt" | "updatedAt">,
): Promise<LocalCheckRun> {
  await ensureStore(repoDir);
  const id = await claimId(paths.checkRunIds(repoDir));
  const at = now();
  const record: LocalCheckRun = { id, ...run, createdAt: at, updatedAt: at };
  await writeJsonAtomic(paths.checkRun(repoDir, id), record);
  return record;
}

export async function updateLocalCheckRun(
  repoDir: string,
  id: number,
  change: (run: LocalCheckRun) => LocalCheckRun,
): Promise<LocalCheckRun> {
  const file = paths.checkRun(repoDir, id);
  return withLock(file, async () => {
    const current = await readJson<LocalCheckRun>(file);
    if (current === null) throw new LocalPlatformError(404, `check run ${id} does not exist`);
    const next = { ...change(current), updatedAt: now() };
    await writeJsonAtomic(file, next);
    return next;
  });
}

export { now as timestamp };
