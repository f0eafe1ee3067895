import path from "node:path";
import { LocalPlatformError } from "../platform/local/errors.js";
import {
  addLocalComment,
  createLocalIssue,
  readLocalComments,
  readLocalIssue,
  readLocalPull,
} from "../platform/local/records.js";
import { localDiffHunk } from "../platform/local/review-diff.js";
import { addLocalReviewComment, readLocalReviewComments } from "../platform/local/review-records.js";
import { storePath } from "../platform/local/store.js";
import type { CommandJob } from "../queue/types.js";
import { CliUsageError } from "./io.js";
import { readIssueFile } from "./local-services.js";

/** Where `okstra run` writes the comment (SPEC §11.1): on issue N, on PR N's conversation, or inline on PR N at FILE:LINE. */
export type CommentPlace =
  | { kind: "issue"; issue: number; issueFile?: string }
  | { kind: "pull"; pull: number }
  | { kind: "review"; pull: number; path: string; line: number };

export interface PostedCommand {
  job: Omit<CommandJob, "deliveryId" | "repo" | "receivedAt">;
  /** What okstra wrote in answer, in the same conversation (or thread), once the command has run. */
  replies(): Promise<Array<{ body: string }>>;
}

/** Posts the user's comment where they asked, as GitHub would hold it, and says how to read okstra's answers. */
export async function postCommand(
  repoDir: string,
  place: CommentPlace,
  author: string,
  body: string,
): Promise<PostedCommand> {
  if (place.kind === "issue") {
    await ensureIssue(repoDir, place.issue, place.issueFile, author);
    return conversationComment(repoDir, place.issue, false, author, body);
  }
  const pull = await readLocalPull(repoDir, place.pull);
  if (pull === null)
    throw new CliUsageError(`pull request #${place.pull} does not exist in ${storePath(repoDir, "pulls")}`);
  if (place.kind === "pull") return conversationComment(repoDir, place.pull, true, author, body);

  let diffHunk: string;
  try {
    diffHunk = await localDiffHunk(repoDir, pull, place.path, place.line);
  } catch (error) {
    if (error instanceof LocalPlatformError) throw new CliUsageError(error.message);
    throw error;
  }
  const comment = await addLocalReviewComment(repoDir, place.pull, {
    author,
    body,
    path: place.path,
    line: place.line,
    diffHunk,
  });
  return {
    job: {
      issueNumber: place.pull,
      isPullRequest: true,
      reviewComment: { path: place.path, line: place.line, threadRoot: comment.id },
      comment: { id: comment.id, body, author, createdAt: comment.createdAt },
    },
    replies: async () => (await readLocalReviewComments(repoDir, place.pull)).filter((c) => c.inReplyTo === comment.id),
  };
}

async function conversationComment(
  repoDir: string,
  number: number,
  isPullRequest: boolean,
  author: string,
  body: string,
): Promise<PostedCommand> {
  const comment = await addLocalComment(repoDir, number, { author, body });
  return {
    job: {
      issueNumber: number,
      isPullRequest,
      comment: { id: comment.id, body, author, createdAt: comment.createdAt },
    },
    replies: async () => (await readLocalComments(repoDir, number)).filter((c) => c.id > comment.id),
  };
}

async function ensureIssue(
  repoDir: string,
  issue: number,
  issueFile: string | undefined,
  author: string,
): Promise<void> {
  if (issueFile) {
    const { title, body } = await readIssueFile(issueFile);
    await createLocalIssue(repoDir, { number: issue, title, body, author });
  } else if ((await readLocalIssue(repoDir, issue)) === null) {
    throw new CliUsageError(
      `issue #${issue} does not exist in ${path.join(repoDir, ".okstra-local")}; pass --issue-file FILE to create it`,
    );
  }
}
