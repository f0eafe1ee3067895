import { userInfo } from "node:os";
import { basename, resolve } from "node:path";
import type {
  CheckRunInfo,
  CheckRunWrite,
  CommentInfo,
  IssueInfo,
  Platform,
  PullRequestInfo,
  StackPort,
} from "../types.js";
import { LocalPlatformError } from "./errors.js";
import { localPermission } from "./permissions.js";
import {
  addLocalComment,
  commentFileUrl,
  fileUrl,
  insertLocalCheckRun,
  insertLocalPull,
  listLocalPulls,
  localPaths,
  readLocalComments,
  readLocalIssue,
  readLocalPull,
  timestamp,
  updateLocalCheckRun,
  updateLocalComment,
  updateLocalPull,
  type LocalCheckRun,
  type LocalComment,
  type LocalPull,
} from "./records.js";
import {
  localBranchHead,
  localCommitExists,
  localCreateBranch,
  localCommitsAhead,
  localCompareCommits,
  localDefaultBranch,
  localReadFile,
} from "./repository.js";
import { storePath, withLock } from "./store.js";
import { localReviewMethods } from "./review-platform.js";

export interface LocalPlatformOptions {
  /** The repository that plays GitHub: clones come from it, branches are pushed to it. */
  repoDir: string;
  /** Who runs the CLI; the repository's owner. Defaults to the current OS user. */
  actor?: string;
  /** The login okstra's own comments and pull requests are written as. */
  botLogin?: string;
}

type CheckRunFields = Omit<LocalCheckRun, "id" | "createdAt" | "updatedAt">;

export const DEFAULT_BOT_LOGIN = "okstra[bot]";

/**
 * The platform port over a local repository (SPEC §11.1). Everything GitHub
 * would show is a JSON file under `DIR/.okstra-local/`; refusals GitHub would
 * answer with 404/422 are `LocalPlatformError`s with the same status, so the
 * engine meets the same outcomes on both platforms.
 */
export function createLocalPlatform(options: LocalPlatformOptions): Platform {
  const repoDir = resolve(options.repoDir);
  const bot = options.botLogin ?? DEFAULT_BOT_LOGIN;

  const toComment = (comment: LocalComment): CommentInfo => ({
    id: comment.id,
    author: comment.author,
    body: comment.body,
    createdAt: comment.createdAt,
    updatedAt: comment.updatedAt,
    url: commentFileUrl(repoDir, comment),
  });
  const toPull = (pull: LocalPull): PullRequestInfo => ({
    number: pull.number,
    title: pull.title,
    body: pull.body,
    head: pull.head,
    base: pull.base,
    draft: pull.draft,
    state: pull.state,
    merged: pull.merged,
    url: fileUrl(localPaths.pull(repoDir, pull.number)),
  });
  const toCheckRun = (run: LocalCheckRun): CheckRunInfo => ({
    id: run.id,
    name: run.name,
    headSha: run.headSha,
    status: run.status,
    conclusion: run.conclusion,
    url: fileUrl(localPaths.checkRun(repoDir, run.id)),
  });
  const requireBranch = async (branch: string, role: string) => {
    if ((await localBranchHead(repoDir, branch)) === null)
      throw new LocalPlatformError(422, `${role} branch ${branch} does not exist`);
  };

  return {
    kind: "local",
    repo: { owner: options.actor ?? userInfo().username, repo: basename(repoDir) },

    getDefaultBranch: () => localDefaultBranch(repoDir),
    readFile: (path, ref) => localReadFile(repoDir, path, ref),
    getPermission: (login) => localPermission(repoDir, login),

    async getIssue(number): Promise<IssueInfo> {
      const issue = await readLocalIssue(repoDir, number);
      if (issue) return { ...issue, isPullRequest: false };
      const pull = await readLocalPull(repoDir, number);
      if (pull) return { number, title: pull.title, body: pull.body, author: pull.author, isPullRequest: true };
      throw new LocalPlatformError(404, `issue #${number} does not exist`);
    },
    listIssueComments: async (number) => (await readLocalComments(repoDir, number)).map(toComment),
    async createComment(issueNumber, body) {
      return toComment(await addLocalComment(repoDir, issueNumber, { author: bot, body }));
    },
    async updateComment(commentId, body) {
      await updateLocalComment(repoDir, commentId, (comment) => ({ ...comment, body, updatedAt: timestamp() }));
    },
    async addReaction(commentId, content) {
      // One reaction per user and content, as on GitHub: repeating it changes nothing.
      await updateLocalComment(repoDir, commentId, (comment) =>
        comment.reactions.some((r) => r.content === content && r.user === bot)
          ? comment
          : { ...comment, reactions: [...comment.reactions, { content, user: bot, createdAt: timestamp() }] },
      );
    },

    async findOpenPullRequest(head) {
      const pull = (await listLocalPulls(repoDir)).find((p) => p.state === "open" && p.head === head);
      return pull ? toPull(pull) : null;
    },
    async getPullRequest(number) {
      const pull = await readLocalPull(repoDir, number);
      if (pull === null) throw new LocalPlatformError(404, `pull request #${number} does not exist`);
      return toPull(pull);
    },
    async listOpenPullRequests(filter) {
      const pulls = await listLocalPulls(repoDir);
      return pulls
        .filter((p) => p.state === "open" && (filter.base === undefined || p.base === filter.base))
        .map(toPull);
    },
    async createPullRequest(pr) {
      // The checks GitHub makes before it opens a pull request (each is a 422 there).
      await requireBranch(pr.head, "head");
      await requireBranch(pr.base, "base");
      if ((await localCommitsAhead(repoDir, pr.base, pr.head)) === 0)
        throw new LocalPlatformError(422, `no commits between ${pr.base} and ${pr.head}`);
      // The duplicate check and the insert hold one lock, so two processes cannot both open a PR for one branch.
      const pull = await withLock(storePath(repoDir, "pulls"), async () => {
        if (
          (await listLocalPulls(repoDir)).some((p) => p.state === "open" && p.head === pr.head && p.base === pr.base)
        ) {
          throw new LocalPlatformError(422, `a pull request already exists for ${pr.head} into ${pr.base}`);
        }
        return insertLocalPull(repoDir, { ...pr, state: "open", merged: false, author: bot });
      });
      return toPull(pull);
    },
    async updatePullRequest(number, update) {
      if (update.base !== undefined) await requireBranch(update.base, "base");
      await updateLocalPull(repoDir, number, (pull) => ({
        ...pull,
        ...(update.title !== undefined ? { title: update.title } : {}),
        ...(update.body !== undefined ? { body: update.body } : {}),
        ...(update.base !== undefined ? { base: update.base } : {}),
        ...(update.state !== undefined && !pull.merged ? { state: update.state } : {}),
      }));
    },
    async setDraft(number, draft) {
      await updateLocalPull(repoDir, number, (pull) => ({ ...pull, draft }));
    },

    ...localReviewMethods(repoDir, bot),

    async createCheckRun(check) {
      if (!(await localCommitExists(repoDir, check.headSha)))
        throw new LocalPlatformError(422, `no commit found for SHA: ${check.headSha}`);
      const blank: CheckRunFields = {
        name: check.name,
        headSha: check.headSha,
        status: "queued", // GitHub's default when no status is given
        conclusion: null,
        output: { title: null, summary: null, text: null, annotations: [] },
        externalId: null,
        actions: [],
        completedAt: null,
      };
      return toCheckRun(await insertLocalCheckRun(repoDir, applyCheckWrite(blank, check)));
    },
    async updateCheckRun(id, check) {
      await updateLocalCheckRun(repoDir, id, (current) => applyCheckWrite(current, check));
    },

    getBranchHead: (branch) => localBranchHead(repoDir, branch),
    createBranch: (branch, commit) => localCreateBranch(repoDir, branch, commit),
    compareCommits: (base, head) => localCompareCommits(repoDir, base, head),
    gitRemote: async () => ({ url: repoDir }),
    stacks: localStacks,
  };
}

/** The local platform has no native stacks (SPEC §15.5): the navigation block alone shows the DAG. */
const unavailable = () => Promise.reject(new LocalPlatformError(404, "the local platform has no native stacks"));
const localStacks: StackPort = {
  supported: false,
  list: async () => "unavailable",
  create: unavailable,
  add: unavailable,
  unstack: unavailable,
};

/**
 * GitHub's update semantics: given fields replace, a conclusion completes the
 * run, and annotations are appended to the ones already there.
 */
function applyCheckWrite<T extends CheckRunFields>(run: T, check: CheckRunWrite): T {
  const next: T = { ...run, output: { ...run.output } };
  if (check.name !== undefined) next.name = check.name;
  if (check.status !== undefined) next.status = check.status;
  if (check.conclusion !== undefined) {
    next.conclusion = check.conclusion;
    next.status = "completed";
  }
  if (next.status === "completed" && next.completedAt === null) next.completedAt = timestamp();
  if (check.externalId !== undefined) next.externalId = check.externalId;
  if (check.actions !== undefined) next.actions = check.actions;
  if (check.output !== undefined) {
    next.output = {
      title: check.output.title,
      summary: check.output.summary,
      text: check.output.text ?? run.output.text,
      annotations: [...run.output.annotations, ...(check.output.annotations ?? [])],
    };
  }
  return next;
}
