import type { ReactionContent, ReviewState } from "../types.js";
import { LocalPlatformError } from "./errors.js";
import type { LocalReaction } from "./records.js";
import {
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
 * A local pull request's inline review comments and reviews (SPEC §11.1),
 * beside the pull request:
 *   pulls/<n>/review-comments/<id>.json  { id, author, body, path, line, side, inReplyTo?, resolved, createdAt }
 *   pulls/<n>/reviews/<id>.json          { id, author, state, body, submittedAt }
 * A thread is its first comment and every reply to it; `resolved` on the
 * first comment is the thread's state (a person resolves a thread by editing
 * that field, as they would click "Resolve conversation").
 */

export interface LocalReviewComment {
  id: number;
  author: string;
  body: string;
  path: string;
  line: number;
  side: "LEFT" | "RIGHT";
  inReplyTo?: number;
  resolved: boolean;
  createdAt: string;
  /** Additions to the documented format: the hunk the comment was written against, edits and reactions. */
  diffHunk: string;
  updatedAt: string;
  reactions: LocalReaction[];
  pull: number;
}

export interface LocalReview {
  id: number;
  author: string;
  state: ReviewState;
  body: string;
  submittedAt: string;
}

const paths = {
  comments: (dir: string, pull: number) => storePath(dir, "pulls", String(pull), "review-comments"),
  comment: (dir: string, pull: number, id: number) =>
    storePath(dir, "pulls", String(pull), "review-comments", `${id}.json`),
  reviews: (dir: string, pull: number) => storePath(dir, "pulls", String(pull), "reviews"),
  review: (dir: string, pull: number, id: number) => storePath(dir, "pulls", String(pull), "reviews", `${id}.json`),
  commentIds: (dir: string) => storePath(dir, "ids", "review-comments"),
  reviewIds: (dir: string) => storePath(dir, "ids", "reviews"),
};
export const localReviewPaths = paths;

const now = () => new Date().toISOString();

async function requirePull(repoDir: string, pull: number): Promise<void> {
  if ((await readJson(storePath(repoDir, "pulls", `${pull}.json`))) === null)
    throw new LocalPlatformError(404, `pull request #${pull} does not exist`);
}

export interface NewLocalReviewComment {
  author: string;
  body: string;
  path: string;
  line: number;
  side?: "LEFT" | "RIGHT";
  diffHunk: string;
  inReplyTo?: number;
}

/** Posts an inline review comment, or a reply in a thread; a reply always points at the thread's first comment, as on GitHub. */
export async function addLocalReviewComment(
  repoDir: string,
  pull: number,
  comment: NewLocalReviewComment,
): Promise<LocalReviewComment> {
  await ensureStore(repoDir);
  await requirePull(repoDir, pull);
  let inReplyTo = comment.inReplyTo;
  if (inReplyTo !== undefined) {
    const parent = await readLocalReviewComment(repoDir, inReplyTo);
    if (parent === null || parent.pull !== pull)
      throw new LocalPlatformError(404, `review comment ${inReplyTo} does not exist on #${pull}`);
    inReplyTo = parent.inReplyTo ?? parent.id;
  }
  const id = await claimId(paths.commentIds(repoDir), { note: String(pull) });
  const at = now();
  const record: LocalReviewComment = {
    id,
    author: comment.author,
    body: comment.body,
    path: comment.path,
    line: comment.line,
    side: comment.side ?? "RIGHT",
    ...(inReplyTo !== undefined ? { inReplyTo } : {}),
    resolved: false,
    createdAt: at,
    diffHunk: comment.diffHunk,
    updatedAt: at,
    reactions: [],
    pull,
  };
  await writeJsonAtomic(paths.comment(repoDir, pull, id), record);
  return record;
}

export async function readLocalReviewComments(repoDir: string, pull: number): Promise<LocalReviewComment[]> {
  const ids = await recordNumbers(paths.comments(repoDir, pull));
  const comments = await Promise.all(ids.map((id) => readJson<LocalReviewComment>(paths.comment(repoDir, pull, id))));
  return comments.filter((c): c is LocalReviewComment => c !== null);
}

/** One review comment by id (the id registry records its pull request), or null when it was never handed out. */
export async function readLocalReviewComment(repoDir: string, id: number): Promise<LocalReviewComment | null> {
  const pull = Number(await readClaim(paths.commentIds(repoDir), id));
  return pull > 0 ? readJson<LocalReviewComment>(paths.comment(repoDir, pull, id)) : null;
}

export async function updateLocalReviewComment(
  repoDir: string,
  id: number,
  change: (comment: LocalReviewComment) => LocalReviewComment,
): Promise<LocalReviewComment> {
  const pull = Number(await readClaim(paths.commentIds(repoDir), id));
  const file = paths.comment(repoDir, pull, id);
  return withLock(file, async () => {
    const current = pull > 0 ? await readJson<LocalReviewComment>(file) : null;
    if (current === null) throw new LocalPlatformError(404, `review comment ${id} does not exist`);
    const next = change(current);
    await writeJsonAtomic(file, next);
    return next;
  });
}

export function addLocalReviewReaction(
  repoDir: string,
  id: number,
  content: ReactionContent,
  user: string,
): Promise<LocalReviewComment> {
  return updateLocalReviewComment(repoDir, id, (comment) =>
    comment.reactions.some((r) => r.content === content && r.user === user)
      ? comment
      : { ...comment, reactions: [...comment.reactions, { content, user, createdAt: now() }] },
  );
}

/** The threads of a pull request: each first comment with its replies, oldest first. */
export async function localReviewThreads(
  repoDir: string,
  pull: number,
): Promise<Array<{ root: LocalReviewComment; comments: LocalReviewComment[] }>> {
  const comments = await readLocalReviewComments(repoDir, pull);
  return comments
    .filter((c) => c.inReplyTo === undefined)
    .map((root) => ({ root, comments: [root, ...comments.filter((c) => c.inReplyTo === root.id)] }));
}

export async function addLocalReview(
  repoDir: string,
  pull: number,
  review: { author: string; state: ReviewState; body: string },
): Promise<LocalReview> {
  await ensureStore(repoDir);
  await requirePull(repoDir, pull);
  const id = await claimId(paths.reviewIds(repoDir), { note: String(pull) });
  const record: LocalReview = { id, author: review.author, state: review.state, body: review.body, submittedAt: now() };
  await writeJsonAtomic(paths.review(repoDir, pull, id), record);
  return record;
}

export async function readLocalReviews(repoDir: string, pull: number): Promise<LocalReview[]> {
  const ids = await recordNumbers(paths.reviews(repoDir, pull));
  const reviews = await Promise.all(ids.map((id) => readJson<LocalReview>(paths.review(repoDir, pull, id))));
  return reviews.filter((r): r is LocalReview => r !== null);
}
