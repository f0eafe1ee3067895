import { ensurePullRequest, type EnsuredPullRequest } from "../pull-requests/ensure-pull-request.js";
import type { Platform } from "../../platform/types.js";
import { mergeGroupPrBody, renderShippedComment, shippedCommentMarker } from "../../render/group-pr-body.js";
import type { Logger } from "../../util/log.js";

/**
 * The group PR on the platform: open it, or reuse the one already open for
 * the collector branch (a run that stopped after opening it, or a PR opened
 * by a racing create). A reused PR gets only okstra's section of its body
 * rewritten, and no write at all when nothing changed.
 */

export type EnsuredGroupPullRequest = EnsuredPullRequest;

export function ensureGroupPullRequest(input: {
  platform: Platform;
  branch: string;
  base: string;
  title: string;
  body: string;
  log: Logger;
}): Promise<EnsuredGroupPullRequest> {
  // Not a draft: every stage in it is verified, so it is ready for review the moment it opens.
  return ensurePullRequest({
    ...input,
    head: input.branch,
    draft: false,
    mergeBody: mergeGroupPrBody,
    describe: { group: input.branch },
  });
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
