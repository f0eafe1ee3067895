import type { Platform, RepoRef } from "../types.js";
import { postCheckRun, patchCheckRun } from "./checks.js";
import type { GitHubClient } from "./client.js";
import { fetchComparison } from "./commits.js";
import { fetchIssue, fetchIssueComments, patchComment, postComment, postReaction } from "./issues.js";
import { fetchPull, findOpenPullByHead, listOpenPulls, patchPull, postPull, setPullDraft } from "./pulls.js";
import { buildGitRemote } from "./remote.js";
import { githubStacks } from "./stacks.js";
import {
  fetchReviewComment,
  fetchReviews,
  fetchReviewThreads,
  patchReviewComment,
  postReviewCommentReaction,
  postReviewReply,
} from "./reviews.js";
import { fetchBranchHead, fetchDefaultBranch, fetchFile, fetchPermission, postBranch } from "./repository.js";

export interface GitHubPlatformOptions {
  /** A fresh (or still valid) installation token; asked for on every `gitRemote()`, since tokens live one hour. */
  installationToken: () => Promise<string>;
  /** The web root that serves git, e.g. `https://github.com` or a GitHub Enterprise host. */
  serverUrl?: string;
}

/**
 * The platform port over GitHub's REST and GraphQL APIs. One adapter per job
 * (STYLE §3): it holds the repository and the client it was given, no global
 * state. Retries, rate limits and request spacing belong to the client's
 * Octokit plugins, not to this adapter.
 */
export function createGitHubPlatform(client: GitHubClient, repo: RepoRef, options: GitHubPlatformOptions): Platform {
  const serverUrl = options.serverUrl ?? "https://github.com";
  // The default branch practically never changes during a job, and config loading asks for it on every command.
  let defaultBranch: Promise<string> | undefined;

  return {
    kind: "github",
    repo,

    getDefaultBranch() {
      defaultBranch ??= fetchDefaultBranch(client, repo).catch((error: unknown) => {
        defaultBranch = undefined; // a failed lookup must not be cached
        throw error;
      });
      return defaultBranch;
    },
    readFile: (path, ref) => fetchFile(client, repo, path, ref),
    getPermission: (login) => fetchPermission(client, repo, login),

    getIssue: (number) => fetchIssue(client, repo, number),
    listIssueComments: (number) => fetchIssueComments(client, repo, number),
    createComment: (issueNumber, body) => postComment(client, repo, issueNumber, body),
    updateComment: (commentId, body) => patchComment(client, repo, commentId, body),
    addReaction: (commentId, content) => postReaction(client, repo, commentId, content),

    findOpenPullRequest: (head) => findOpenPullByHead(client, repo, head),
    getPullRequest: (number) => fetchPull(client, repo, number),
    listOpenPullRequests: (filter) => listOpenPulls(client, repo, filter),
    createPullRequest: (pr) => postPull(client, repo, pr),
    updatePullRequest: (number, update) => patchPull(client, repo, number, update),
    setDraft: (number, draft) => setPullDraft(client, repo, number, draft),

    listReviewThreads: (pull) => fetchReviewThreads(client, repo, pull),
    listReviews: (pull) => fetchReviews(client, repo, pull),
    getReviewComment: (commentId) => fetchReviewComment(client, repo, commentId),
    replyToReviewComment: (pull, commentId, body) => postReviewReply(client, repo, pull, commentId, body),
    updateReviewComment: (commentId, body) => patchReviewComment(client, repo, commentId, body),
    addReviewCommentReaction: (commentId, content) => postReviewCommentReaction(client, repo, commentId, content),

    createCheckRun: (check) => postCheckRun(client, repo, check),
    updateCheckRun: (id, check) => patchCheckRun(client, repo, id, check),

    getBranchHead: (branch) => fetchBranchHead(client, repo, branch),
    createBranch: (branch, commit) => postBranch(client, repo, branch, commit),
    compareCommits: (base, head) => fetchComparison(client, repo, base, head),
    gitRemote: async () => buildGitRemote(serverUrl, repo, await options.installationToken()),
    stacks: githubStacks(client, repo),
  };
}
