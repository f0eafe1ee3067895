import type { OkstraConfig } from "../../config/schema.js";
import type { RepoRef } from "../../platform/types.js";
import type { Logger } from "../../util/log.js";
import type { CommandContext, EngineServices } from "../context.js";
import type { RunState } from "../run/run-state.js";
import type { StatusComment } from "../run/status-comment.js";

/**
 * What a verification run needs of the job that started it. A comment
 * command gives it from its CommandContext; a re-requested check run, which
 * has no comment, builds it directly — so the engine never needs to pretend
 * a check run was a comment.
 */
export interface VerificationContext {
  issue: number;
  repo: RepoRef;
  /** What the status comment's heading shows, e.g. `/okstra verify --stage 2`. */
  commandLine: string;
  config: OkstraConfig;
  services: EngineServices;
  log: Logger;
  status: StatusComment;
  run: RunState;
}

export function fromCommandContext(context: CommandContext): VerificationContext {
  const { commandLine, config, services, log, status, run } = context;
  return { issue: context.job.issueNumber, repo: context.job.repo, commandLine, config, services, log, status, run };
}

/** Who asked, as a verification run records it: the comment that carried the command. */
export function commentTrigger(context: CommandContext): {
  commentId: number;
  deliveryId: string;
  actor: string;
  command: string;
} {
  const { job } = context;
  return {
    commentId: job.comment.id,
    deliveryId: job.deliveryId,
    actor: job.comment.author,
    command: context.commandLine,
  };
}
