import { codeSpan } from "../../render/model-text.js";
import {
  type Permission,
  type Platform,
  permissionAtLeast,
  type ReviewInfo,
  type ReviewThreadInfo,
} from "../../platform/types.js";

/**
 * The review feedback a revise works from (SPEC §15.2): the PR's unresolved
 * review threads with something said in them since the stage's last `done`,
 * and the `CHANGES_REQUESTED` reviews submitted since then. no bot's
 * comment (okstra's own answers included) counts as something said or reaches the executor.
 *
 * Only people who could have run the command themselves (the permission
 * commands need, checked live as for commands) are given to the executor: anyone can review
 * a public PR, and nobody approves what a revise reads before it acts on it.
 * What others said is withheld and named in the run's answer, so a
 * maintainer who agrees can pass it on as guidance.
 */
export interface ReviewFeedback {
  threads: ReviewThreadInfo[];
  changeRequests: ReviewInfo[];
  /** Feedback from people without write access: said, never given to the executor. */
  withheld: WithheldFeedback[];
}

export interface WithheldFeedback {
  author: string;
  /** Where it was said: a thread's path, or null for a changes-requested review. */
  path: string | null;
}

const isBot = (login: string) => login.endsWith("[bot]");

/**
 * Only what was said before the command, and not edited after it, reaches
 * the executor (SPEC §2): a comment added or edited while the job waits in the
 * queue cannot inject instructions. `trigger` is the command's own comment; its author was
 * authorised to run it, so their words need no second check.
 */
export async function gatherReviewFeedback(
  platform: Platform,
  pull: number,
  since: string,
  trigger: { id: number; createdAt: string; author: string },
  /** What a command needs here (`minimumPermission`, at least `write`). */
  required: Permission = "write",
): Promise<ReviewFeedback> {
  const [listed, reviews] = await Promise.all([platform.listReviewThreads(pull), platform.listReviews(pull)]);
  // GitHub's timestamps are whole seconds, okstra's `since` has milliseconds: a comment written in the
  // second the stage was done would read as earlier than it. Both bounds are compared at GitHub's
  // resolution, the command's own second included (a review submitted with the command in it shares it).
  const after = Math.floor(Date.parse(since) / 1000) * 1000;
  const cutoff = Date.parse(trigger.createdAt);
  const beforeCommand = (c: { id: number; createdAt: string; updatedAt: string }) =>
    c.id !== trigger.id && Date.parse(c.createdAt) <= cutoff && Date.parse(c.updatedAt) <= cutoff;
  const visible = listed.map((t) => ({ ...t, comments: t.comments.filter(beforeCommand) }));
  const saidSince = (t: ReviewThreadInfo) =>
    t.comments.some((c) => !isBot(c.author) && Date.parse(c.createdAt) >= after);
  const submitted = (r: ReviewInfo) => (r.submittedAt === null ? Number.NaN : Date.parse(r.submittedAt));
  const inWindow = (r: ReviewInfo) => submitted(r) >= after && submitted(r) <= cutoff;
  const threadsSaid = visible.filter((t) => !t.resolved && saidSince(t));
  const requested = reviews.filter((r) => r.state === "CHANGES_REQUESTED" && inWindow(r));

  const canPush = await writersAmong(platform, trigger.author, required, [
    ...threadsSaid.flatMap((t) => t.comments.map((c) => c.author)),
    ...requested.map((r) => r.author),
  ]);
  const withheld: WithheldFeedback[] = [];
  const note = (author: string, path: string | null) => {
    if (!withheld.some((w) => w.author === author && w.path === path)) withheld.push({ author, path });
  };
  const threads: ReviewThreadInfo[] = [];
  for (const thread of threadsSaid) {
    // Bots are never heard: other apps' comments (linters, AI reviewers) often quote anyone's text, and
    // okstra's own answers tell the executor nothing. They are not people asking, so they are not named.
    const heard = thread.comments.filter((c) => canPush.has(c.author));
    for (const c of thread.comments) if (!heard.includes(c) && !isBot(c.author)) note(c.author, thread.path);
    const kept = { ...thread, comments: heard };
    if (saidSince(kept)) threads.push(kept);
  }
  for (const review of requested) if (!canPush.has(review.author) && !isBot(review.author)) note(review.author, null);
  return { threads, changeRequests: requested.filter((r) => canPush.has(r.author)), withheld };
}

/** The people among `authors` with the permission commands need: one live permission check per person, none for the command's author or a bot. */
async function writersAmong(
  platform: Platform,
  commandAuthor: string,
  required: Permission,
  authors: string[],
): Promise<Set<string>> {
  const writers = new Set([commandAuthor]);
  const others = [...new Set(authors)].filter((a) => a !== commandAuthor && !isBot(a));
  const permissions = await Promise.all(others.map((a) => platform.getPermission(a)));
  others.forEach((author, i) => {
    if (permissionAtLeast(permissions[i]!, required)) writers.add(author);
  });
  return writers;
}

/** The withheld feedback as the run's answer says it, or "" when nothing was withheld. */
export function describeWithheld(withheld: readonly WithheldFeedback[]): string {
  if (withheld.length === 0) return "";
  const byAuthor = new Map<string, string[]>();
  for (const w of withheld)
    byAuthor.set(w.author, [
      ...(byAuthor.get(w.author) ?? []),
      w.path === null ? "a changes-requested review" : `a thread on ${codeSpan(w.path)}`,
    ]);
  const places = [...byAuthor].map(([author, where]) => `@${author} (${where.join(", ")})`);
  return `Not given to the executor: review feedback from ${places.join(", ")}, who may not run okstra's commands here. To have it addressed, write what to change on the lines after \`/okstra revise\`.`;
}

export function isEmptyFeedback(feedback: Pick<ReviewFeedback, "threads" | "changeRequests">): boolean {
  return feedback.threads.length === 0 && feedback.changeRequests.length === 0;
}

/** The feedback as the executor reads it: each thread with its place, the diff hunk the reviewer saw, and the conversation. */
export function renderReviewFeedback(
  feedback: Pick<ReviewFeedback, "threads" | "changeRequests">,
  pull: number,
): string {
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
