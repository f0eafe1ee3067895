/**
 * The platform port: everything okstra needs from a forge. The engine talks to
 * GitHub (platform/github) and to a local repository (platform/local) only
 * through this interface, so every phase runs the same against both.
 */

export interface RepoRef {
  owner: string;
  repo: string;
}

/** Repository permission levels, lowest first (GitHub's collaborator-permission `role_name` values). */
export const PERMISSION_LEVELS = ["none", "read", "triage", "write", "maintain", "admin"] as const;
export type Permission = (typeof PERMISSION_LEVELS)[number];

export function permissionAtLeast(actual: Permission, required: Permission): boolean {
  return PERMISSION_LEVELS.indexOf(actual) >= PERMISSION_LEVELS.indexOf(required);
}

export interface IssueInfo {
  number: number;
  title: string;
  body: string;
  author: string;
  isPullRequest: boolean;
}

export interface CommentInfo {
  id: number;
  author: string;
  body: string;
  createdAt: string;
  updatedAt: string;
  url?: string;
}

export type ReactionContent = "+1" | "-1" | "laugh" | "confused" | "heart" | "hooray" | "rocket" | "eyes";

export interface PullRequestInfo {
  number: number;
  title: string;
  body: string;
  head: string;
  base: string;
  draft: boolean;
  state: "open" | "closed";
  merged: boolean;
  url: string;
}

export interface NewPullRequest {
  title: string;
  body: string;
  head: string;
  base: string;
  draft: boolean;
}

export interface PullRequestUpdate {
  title?: string;
  body?: string;
  base?: string;
  state?: "open" | "closed";
}

export type CheckStatus = "queued" | "in_progress" | "completed";
export type CheckConclusion =
  | "success"
  | "neutral"
  | "failure"
  | "cancelled"
  | "skipped"
  | "timed_out"
  | "action_required";

export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: "notice" | "warning" | "failure";
  message: string;
  title?: string;
}

export interface CheckRunOutput {
  title: string;
  summary: string;
  text?: string;
  annotations?: CheckAnnotation[];
}

export interface CheckRunAction {
  label: string;
  description: string;
  identifier: string;
}

export interface CheckRunWrite {
  name?: string;
  headSha?: string;
  status?: CheckStatus;
  conclusion?: CheckConclusion;
  externalId?: string;
  output?: CheckRunOutput;
  actions?: CheckRunAction[];
}

export interface CheckRunInfo {
  id: number;
  name: string;
  headSha: string;
  status: CheckStatus;
  conclusion: CheckConclusion | null;
  url?: string;
}

/** One commit as a person would name it: who wrote it and what it says. */
export interface CommitSummary {
  sha: string;
  /** The platform account when it knows one (a GitHub login), else the git author name. */
  author: string;
  subject: string;
}

/**
 * How commit `head` relates to commit `base` (GitHub's compare statuses):
 * `ahead` = base is an ancestor of head (commits were added on top),
 * `behind` = head is an ancestor of base, `diverged` = neither (history rewritten).
 */
export interface CommitComparison {
  status: "identical" | "ahead" | "behind" | "diverged";
  /** Both commits hold the same tree: the content is identical whatever the history. */
  sameTree: boolean;
  /** Commits on head that base lacks, oldest first; at most the first 250. */
  commits: CommitSummary[];
}

/**
 * How a workspace reaches the repository over git. `extraHeader` is passed per
 * command (`git -c http.extraheader=…`), never written to `.git/config`.
 */
export interface GitRemote {
  url: string;
  extraHeader?: string;
}

/** One inline review comment on a pull request's diff (a comment of a review thread). */
export interface ReviewCommentInfo {
  id: number;
  author: string;
  body: string;
  path: string;
  /** The line in the diff it is attached to; null when the line is no longer in the diff (outdated). */
  line: number | null;
  side: "LEFT" | "RIGHT";
  /** The thread's first comment, for a reply; null for the comment that opened the thread. */
  inReplyTo: number | null;
  /** The diff hunk the comment was written against, so a worker sees what the reviewer saw. */
  diffHunk: string;
  createdAt: string;
  /** The last edit (createdAt when never edited): an edit after a command must not reach its workers (SPEC §2). */
  updatedAt: string;
  url?: string;
}

/** A review thread: the comments on one line, oldest first (the first opened it), and whether someone resolved it. */
export interface ReviewThreadInfo {
  resolved: boolean;
  path: string;
  line: number | null;
  comments: ReviewCommentInfo[];
}

export type ReviewState = "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED" | "PENDING";

/** A submitted pull-request review (its summary body; its inline comments are in the threads). */
export interface ReviewInfo {
  id: number;
  author: string;
  state: ReviewState;
  body: string;
  submittedAt: string | null;
}

/**
 * The forge made a request wait out a rate limit (SPEC §10): it is sent again
 * at `until`. Told to whoever listens (the run's status comment says so); the
 * engine never sees the HTTP client that waits.
 */
export interface RateLimitWaitNotice {
  kind: "secondary" | "primary";
  until: Date;
}

/** Where rate-limit waits of one job's requests are announced; a listener is removed by the function it returns. */
export interface RateLimitWaits {
  listen(listener: (wait: RateLimitWaitNotice) => void): () => void;
}

/** A native stack of pull requests (GitHub's stacked PRs, SPEC §15.5): its number and its PRs, bottom first. */
export interface NativeStack {
  number: number;
  pulls: Array<{ number: number; open: boolean }>;
}

/**
 * GitHub's Stacks REST API. `list` answers "unavailable" where the repository
 * does not have the feature (the API's 404); the local platform always does.
 */
export interface StackPort {
  /** False where the platform has no stacks at all (local): nothing is asked and nothing remembered. */
  readonly supported: boolean;
  list(): Promise<NativeStack[] | "unavailable">;
  /** PR numbers bottom to top; each PR's base must be the previous one's head. */
  create(pulls: readonly number[]): Promise<NativeStack>;
  /** Appends PRs on top of the stack. */
  add(stack: number, pulls: readonly number[]): Promise<NativeStack>;
  /** Removes the stack's unmerged PRs from it (the stack dissolves when none is left). */
  unstack(stack: number): Promise<void>;
}

export interface Platform {
  readonly kind: "github" | "local";
  readonly repo: RepoRef;

  getDefaultBranch(): Promise<string>;
  /** A file's text at a ref, or null when the file does not exist there. */
  readFile(path: string, ref: string): Promise<string | null>;
  getPermission(login: string): Promise<Permission>;

  getIssue(number: number): Promise<IssueInfo>;
  /** Every comment of an issue, oldest first (paginated on GitHub). */
  listIssueComments(number: number): Promise<CommentInfo[]>;
  createComment(issueNumber: number, body: string): Promise<CommentInfo>;
  updateComment(commentId: number, body: string): Promise<void>;
  addReaction(commentId: number, content: ReactionContent): Promise<void>;

  findOpenPullRequest(head: string): Promise<PullRequestInfo | null>;
  getPullRequest(number: number): Promise<PullRequestInfo>;
  listOpenPullRequests(filter: { base?: string }): Promise<PullRequestInfo[]>;
  createPullRequest(pr: NewPullRequest): Promise<PullRequestInfo>;
  updatePullRequest(number: number, update: PullRequestUpdate): Promise<void>;
  setDraft(number: number, draft: boolean): Promise<void>;

  /** A pull request's review threads, resolved ones included (the caller filters), oldest first. */
  listReviewThreads(pull: number): Promise<ReviewThreadInfo[]>;
  /** A pull request's submitted reviews, oldest first. */
  listReviews(pull: number): Promise<ReviewInfo[]>;
  /** One inline review comment, or null when it does not exist (the command it carried was deleted). */
  getReviewComment(commentId: number): Promise<ReviewCommentInfo | null>;
  /** Answers in the thread of review comment `commentId` (a reply goes to the thread's first comment, as on GitHub). */
  replyToReviewComment(pull: number, commentId: number, body: string): Promise<CommentInfo>;
  updateReviewComment(commentId: number, body: string): Promise<void>;
  addReviewCommentReaction(commentId: number, content: ReactionContent): Promise<void>;

  createCheckRun(check: CheckRunWrite & { name: string; headSha: string }): Promise<CheckRunInfo>;
  updateCheckRun(id: number, check: CheckRunWrite): Promise<void>;

  /** The commit a branch points at, or null when it does not exist. */
  getBranchHead(branch: string): Promise<string | null>;
  /** Creates a branch at `commit`; an existing branch is an error (422 on both platforms), never moved. */
  createBranch(branch: string, commit: string): Promise<void>;
  /** How `head` relates to `base` in history and content, or null when either commit does not exist. */
  compareCommits(base: string, head: string): Promise<CommitComparison | null>;
  /** Where workspaces clone from and push to, with short-lived credentials. */
  gitRemote(): Promise<GitRemote>;

  /** Native stacked pull requests (SPEC §15.5). */
  readonly stacks: StackPort;
}
