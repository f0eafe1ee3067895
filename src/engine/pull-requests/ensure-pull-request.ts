import type { Platform, PullRequestInfo, PullRequestUpdate } from "../../platform/types.js";
import { renderDraftUnsupportedNote } from "../../render/reply.js";
import type { SectionReplacement } from "../../render/stack-block.js";
import type { Logger } from "../../util/log.js";

export interface EnsuredPullRequest {
  number: number;
  url: string;
  created: boolean;
  /** A reused PR was edited (title, base or okstra's sections). */
  updated: boolean;
  /** The PR as it stands after this call (body and base included), so a caller need not read it again. */
  pr: PullRequestInfo;
}

/**
 * Every PR okstra opens, the idempotent way (STYLE §4): reuse the open PR of
 * the head branch (a run that stopped after opening it, or a racing create
 * that won — a 422 on both platforms), else open it. A reused PR gets only
 * what changed: its title, its base (a dependency merged meanwhile), and
 * okstra's own sections of the body, merged by `mergeBody` so the user's text
 * stays; a damaged body is logged and left alone. The draft flag of a reused
 * PR is never touched.
 */
export async function ensurePullRequest(input: {
  platform: Platform;
  head: string;
  base: string;
  title: string;
  body: string;
  draft: boolean;
  mergeBody: (current: string, rendered: string) => SectionReplacement;
  log: Logger;
  /** Log fields naming the PR's kind (`{ stage: 2 }`, `{ group: true }`). */
  describe: Record<string, unknown>;
}): Promise<EnsuredPullRequest> {
  const { platform, head, log } = input;
  const existing = await platform.findOpenPullRequest(head);
  if (existing) return reuse(input, existing);
  let pr: PullRequestInfo;
  try {
    pr = await platform.createPullRequest({
      title: input.title,
      body: input.body,
      head,
      base: input.base,
      draft: input.draft,
    });
  } catch (error) {
    const raced = hasStatus(error, 422) ? await platform.findOpenPullRequest(head) : null;
    if (!raced) throw error;
    return reuse(input, raced);
  }
  log.info({ ...input.describe, pr: pr.number, base: input.base, draft: pr.draft }, "PR opened");
  // Asked for a draft on a repository without drafts: the PR is open for review, so say it is not verified yet.
  // The PR exists whatever happens to the note: a failed note is logged, never taken for a failed PR.
  if (input.draft && !pr.draft) {
    await platform
      .createComment(pr.number, renderDraftUnsupportedNote())
      .catch((err: unknown) => log.warn({ err, pr: pr.number }, "could not post the not-a-draft note"));
  }
  return { number: pr.number, url: pr.url, created: true, updated: false, pr };
}

async function reuse(input: Parameters<typeof ensurePullRequest>[0], pr: PullRequestInfo): Promise<EnsuredPullRequest> {
  const update: PullRequestUpdate = {};
  if (pr.title !== input.title) update.title = input.title;
  if (pr.base !== input.base) update.base = input.base;
  const body = input.mergeBody(pr.body, input.body);
  if (body.kind === "refused")
    input.log.warn({ ...input.describe, pr: pr.number, reason: body.reason }, "PR body damaged; not rewriting");
  else if (body.kind !== "unchanged") update.body = body.body;
  const updated = Object.keys(update).length > 0;
  if (updated) await input.platform.updatePullRequest(pr.number, update);
  input.log.info({ ...input.describe, pr: pr.number, updated }, "PR reused");
  return { number: pr.number, url: pr.url, created: false, updated, pr: { ...pr, ...update } };
}

function hasStatus(error: unknown, status: number): boolean {
  return typeof error === "object" && error !== null && (error as { status?: unknown }).status === status;
}
