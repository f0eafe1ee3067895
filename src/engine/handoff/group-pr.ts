import type { Platform, PullRequestInfo, PullRequestUpdate } from "../../platform/types.js";
import { mergeGroupPrBody, renderShippedComment, shippedCommentMarker } from "../../render/group-pr-body.js";
import type { Logger } from "../../util/log.js";

/**
 * The group PR on the platform: open it, or reuse the one already open for
 * the collector branch (a run that stopped after opening it, or a PR opened
 * by a racing create). A reused PR gets only okstra's section of its body
 * rewritten, and no write at all when nothing changed.
 */

export interface EnsuredGroupPullRequest {
  number: number;
  url: string;
  created: boolean;
  updated: boolean;
}

function hasStatus(error: unknown, status: number): boolean {
  return typeof error === "object" && error !== null && (error as { status?: unknown }).status === status;
}

export async function ensureGroupPullRequest(input: {
  platform: Platform;
  branch: string;
  base: string;
  title: string;
  body: string;
  log: Logger;
}): Promise<EnsuredGroupPullRequest> {
  const { platform, branch, log } = input;
  const existing = await platform.findOpenPullRequest(branch);
  if (existing) return reuse(input, existing);
  try {
    // Not a draft: every stage in it is verified, so it is ready for review the moment it opens.
    const pr = await platform.createPullRequest({ title: input.title, body: input.body, head: branch, base: input.base, draft: false });
    log.info({ pr: pr.number, branch, base: input.base }, "group PR opened");
    return { number: pr.number, url: pr.url, created: true, updated: false };
  } catch (error) {
    // Opened between the lookup and the create (422 on both platforms): reuse it.
    const raced = hasStatus(error, 422) ? await platform.findOpenPullRequest(branch) : null;
    if (!raced) throw error;
    return reuse(input, raced);
  }
}

async function reuse(input: { platform: Platform; base: string; title: string; body: string; log: Logger }, pr: PullRequestInfo): Promise<EnsuredGroupPullRequest> {
  const update: PullRequestUpdate = {};
  if (pr.title !== input.title) update.title = input.title;
  if (pr.base !== input.base) update.base = input.base;
  const body = mergeGroupPrBody(pr.body, input.body);
  if (body.kind === "refused") input.log.warn({ pr: pr.number, reason: body.reason }, "group PR body damaged; not rewriting");
  else if (body.kind !== "unchanged") update.body = body.body;
  const updated = Object.keys(update).length > 0;
  if (updated) await input.platform.updatePullRequest(pr.number, update);
  input.log.info({ pr: pr.number, updated }, "group PR reused");
  return { number: pr.number, url: pr.url, created: false, updated };
}

/**
 * A short comment on each stage PR of the group, linking the group PR. Each
 * is looked for by its marker first, so a ship that is carried out again
 * (a reused group PR) does not say it twice. Closed stage PRs are skipped.
 */
export async function announceOnStagePrs(input: {
  platform: Platform;
  group: number;
  base: string;
  stagePrs: ReadonlyArray<{ stage: number; number: number }>;
  log: Logger;
}): Promise<number[]> {
  const { platform, group } = input;
  const stages = input.stagePrs.map((s) => s.stage).sort((a, b) => a - b);
  const commented: number[] = [];
  for (const { stage, number } of input.stagePrs) {
    const pr = await platform.getPullRequest(number);
    if (pr.state !== "open") continue;
    const marker = shippedCommentMarker(group, stage);
    const comments = await platform.listIssueComments(number);
    if (comments.some((c) => c.body.includes(marker))) continue;
    await platform.createComment(number, renderShippedComment({ group, stage, stages, base: input.base }));
    commented.push(number);
  }
  input.log.info({ group, commented }, "stage PRs told where they ship");
  return commented;
}
