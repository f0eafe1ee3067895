import type { Platform, ReviewInfo, ReviewThreadInfo } from "../../platform/types.js";

/**
 * The review feedback a revise works from (SPEC §15.2): the PR's unresolved
 * review threads with something said in them since the stage's last `done`,
 * and the `CHANGES_REQUESTED` reviews submitted since then. okstra's own
 * answers (from a bot account) do not count as something said.
 */
export interface ReviewFeedback {
  threads: ReviewThreadInfo[];
  changeRequests: ReviewInfo[];
}

const isBot = (login: string) => login.endsWith("[bot]");

/**
 * Only what was said before the command, and not edited after it, reaches
 * the executor (SPEC §2): a comment added or edited while the job waits in the
 * queue cannot inject instructions. `trigger` is the command's own comment.
 */
export async function gatherReviewFeedback(
  platform: Platform,
  pull: number,
  since: string,
  trigger: { id: number; createdAt: string },
): Promise<ReviewFeedback> {
  const [threads, reviews] = await Promise.all([platform.listReviewThreads(pull), platform.listReviews(pull)]);
  // GitHub's timestamps are whole seconds, okstra's `since` has milliseconds: a comment written in the
  // second the stage was done would read as earlier than it. Both bounds are compared at GitHub's
  // resolution, the command's own second included (a review submitted with the command in it shares it).
  const after = Math.floor(Date.parse(since) / 1000) * 1000;
  const cutoff = Date.parse(trigger.createdAt);
  const beforeCommand = (c: { id: number; createdAt: string; updatedAt: string }) =>
    c.id !== trigger.id && Date.parse(c.createdAt) <= cutoff && Date.parse(c.updatedAt) <= cutoff;
  const visible = threads.map((t) => ({ ...t, comments: t.comments.filter(beforeCommand) }));
  const saidSince = (t: ReviewThreadInfo) =>
    t.comments.some((c) => !isBot(c.author) && Date.parse(c.createdAt) >= after);
  const submitted = (r: ReviewInfo) => (r.submittedAt === null ? Number.NaN : Date.parse(r.submittedAt));
  const inWindow = (r: ReviewInfo) => submitted(r) >= after && submitted(r) <= cutoff;
  return {
    threads: visible.filter((t) => !t.resolved && saidSince(t)),
    changeRequests: reviews.filter((r) => r.state === "CHANGES_REQUESTED" && inWindow(r)),
  };
}

export function isEmptyFeedback(feedback: ReviewFeedback): boolean {
  return feedback.threads.length === 0 && feedback.changeRequests.length === 0;
}

/** The feedback as the executor reads it: each thread with its place, the diff hunk the reviewer saw, and the conversation. */
export function renderReviewFeedback(feedback: ReviewFeedback, pull: number): string {
  const parts: string[] = [];
  for (const [index, thread] of feedback.threads.entries()) {
    const hunk = thread.comments[0]?.diffHunk ?? "";
    parts.push(
      [
        `### Review thread ${index + 1} on #${pull}: \`${thread.path}\`${thread.line !== null ? ` line ${thread.line}` : " (outdated)"}`,
        "```diff",
        hunk,
        "```",
        ...thread.comments.map((c) => `> **@${c.author}**: ${c.body.replace(/\r?\n/g, "\n> ")}`),
      ].join("\n"),
    );
  }
  for (const review of feedback.changeRequests) {
    parts.push(
      `### Changes requested by @${review.author}\n> ${(review.body || "(no summary; see the threads)").replace(/\r?\n/g, "\n> ")}`,
    );
  }
  return parts.length === 0 ? "" : `## Review feedback to address\n\n${parts.join("\n\n")}`;
}
