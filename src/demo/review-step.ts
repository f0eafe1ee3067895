import { readLocalPull, listLocalPulls } from "../platform/local/records.js";
import { localDiffHunk } from "../platform/local/review-diff.js";
import { addLocalReviewComment } from "../platform/local/review-records.js";
import { git } from "../util/git.js";

/** A reviewer's inline comment in the demo: on the open PR of `stage`, at the first line of `path` that contains `near`. */
export interface DemoReview {
  stage: number;
  path: string;
  near: string;
  body: string;
  author: string;
}

/** The open stage PR of `stage` of task 1, by its head branch. */
export async function stagePullNumber(repo: string, stage: number): Promise<number> {
  const pull = (await listLocalPulls(repo)).find((p) => p.head === `okstra/1/s${stage}` && p.state === "open");
  if (!pull) throw new Error(`the demo expects an open PR for stage ${stage}`);
  return pull.number;
}

/** Posts the review comment as the reviewer would on GitHub (it is not a command: okstra does nothing until asked). */
export async function postDemoReview(repo: string, review: DemoReview): Promise<string> {
  const number = await stagePullNumber(repo, review.stage);
  const pull = (await readLocalPull(repo, number))!;
  const text = (await git(["show", `${pull.head}:${review.path}`], { cwd: repo })).stdout.split("\n");
  const line = text.findIndex((l) => l.includes(review.near)) + 1;
  const diffHunk = await localDiffHunk(repo, pull, review.path, line);
  const comment = await addLocalReviewComment(repo, number, {
    author: review.author,
    body: review.body,
    path: review.path,
    line,
    diffHunk,
  });
  return `@${review.author} on #${number} at ${review.path}:${line} (review comment ${comment.id}): ${review.body}`;
}
