import nock from "nock";
import { localDiffHunk } from "../../src/platform/local/review-diff.js";
import { httpMock } from "../helpers/http-mock.js";
import type { BareRepo } from "./bare-repo.js";
import { gitRoutes, type GitState } from "./fake-git-routes.js";
import { issueRoutes, type IssueState, type StoredComment, type StoredReaction } from "./fake-issue-routes.js";
import { pullRoutes, type PullState, type StoredPull } from "./fake-pull-routes.js";
import { checkRoutes, type StoredCheckRun } from "./fake-check-routes.js";
import { compareRoutes } from "./fake-compare-routes.js";
import { reviewRoutes, type ReviewState, type StoredReview, type StoredReviewComment } from "./fake-review-routes.js";
import { stackRoutes, type StoredStack } from "./fake-stack-routes.js";
import { simpleUser, timestamp, type Reply, type Route, type RouteRequest } from "./fake-routes.js";

/**
 * A stateful fake of the GitHub API at https://api.github.com, built from
 * nock interceptors (the suite's one HTTP-mock mechanism): issue comments
 * with their edit history, reactions, pull requests, permissions, the
 * configuration file, and git data for the ledger — the last two read from
 * and written to the bare repository the git server serves.
 *
 * Every route is its own persisted interceptor, so a request to a route the
 * fake does not model matches nothing and fails the test through the suite's
 * unmatched-request check. `uninstall()` removes them (call it in an
 * `afterEach` inside a `describe`: Jest runs those before the root-level
 * `afterEach` of test/setup.ts that checks for pending mocks).
 *
 * `handle()` answers one request without nock, for a front that serves the
 * same fake over real HTTP to other processes (serve-fake-github.ts); both
 * paths record and answer alike.
 */

export interface ApiRequest {
  method: string;
  /** The documented route (`GET /repos/{owner}/{repo}/git/ref/{ref}`). */
  route: string;
  path: string;
  body: unknown;
  status: number;
  /** The request carried `Authorization: token <installation token>`. */
  authorized: boolean;
}

/** One request as it reaches the fake: the path is the REST path (`/repos/…`, `/graphql`), with its query. */
export interface FakeRequest {
  method: string;
  path: string;
  /** The parsed JSON body (or the raw text when it is not JSON). */
  body: unknown;
  /** Lower-case names. */
  headers: Record<string, string>;
}

export interface FakeGitHubOptions {
  owner: string;
  repo: string;
  bare: BareRepo;
  /** The token the installation-token exchange hands out and every later request must carry. */
  installationToken: string;
  installationId?: number;
  /** The issue as the webhook payload carries it. */
  issue: Record<string, unknown> & { number: number };
  defaultBranch?: string;
  permissions?: IssueState["permissions"];
  /** Whether the repository has native stacked PRs (default true); without, the Stacks API answers 404. */
  stacksAvailable?: boolean;
}

const BOT_LOGIN = "okstra[bot]";

interface RegisteredRoute {
  route: Route;
  /** Every route but the token exchange answers 401 without the installation token. */
  needsToken: boolean;
}

export class FakeGitHub {
  readonly requests: ApiRequest[] = [];
  readonly comments: StoredComment[] = [];
  readonly reactions: StoredReaction[] = [];
  readonly pulls: StoredPull[] = [];
  /** Native stacks (SPEC §15.5); `stacksAvailable: false` plays a repository without the feature. */
  readonly stacks: StoredStack[] = [];
  readonly commitsOnBranch: GitState["commitsOnBranch"] = [];
  readonly reviewComments: StoredReviewComment[] = [];
  readonly reviews: StoredReview[] = [];
  /** Reactions on review comments. */
  readonly reviewReactions: StoredReaction[] = [];
  /** First comments of the threads a reviewer resolved. */
  readonly resolvedThreads = new Set<number>();
  readonly checkRuns: StoredCheckRun[] = [];
  /** Login → role, as the collaborator-permission route answers; unlisted logins are not collaborators (404). */
  readonly permissions: IssueState["permissions"];
  private readonly interceptors: nock.Interceptor[] = [];
  private readonly gitState: GitState;
  private readonly routes: RegisteredRoute[];
  private commentSeq = 1_100_000_000;
  private issueSeq: number;

  constructor(private readonly options: FakeGitHubOptions) {
    this.issueSeq = options.issue.number;
    this.permissions = options.permissions ?? { Codertocat: "admin" };
    const { owner, repo, bare } = options;
    const bot = simpleUser(BOT_LOGIN, "Bot", 9_000_001);
    const issueState: IssueState = {
      owner,
      repo,
      bare,
      defaultBranch: options.defaultBranch ?? "main",
      issue: options.issue,
      comments: this.comments,
      reactions: this.reactions,
      permissions: this.permissions,
      bot,
      nextCommentId: () => ++this.commentSeq,
      isPullRequest: (number) => this.pulls.some((p) => p.number === number),
    };
    const pullState: PullState = { owner, repo, bare, bot, pulls: this.pulls, nextIssueNumber: () => ++this.issueSeq };
    this.gitState = { owner, repo, bare, commitsOnBranch: this.commitsOnBranch };
    const reviewState: ReviewState = {
      ...{ owner, repo, bare, bot, pulls: this.pulls, reviewComments: this.reviewComments, reviews: this.reviews },
      ...{ reactions: this.reviewReactions, resolvedThreads: this.resolvedThreads },
      nextCommentId: () => ++this.commentSeq,
    };
    const modelled = [
      ...issueRoutes(issueState),
      ...reviewRoutes(reviewState),
      ...pullRoutes(pullState),
      ...gitRoutes(this.gitState),
      ...checkRoutes({ owner, repo, checkRuns: this.checkRuns }),
      ...compareRoutes({ owner, repo, bare }),
      ...stackRoutes({
        owner,
        repo,
        pulls: this.pulls,
        stacks: this.stacks,
        available: options.stacksAvailable ?? true,
      }),
    ];
    const token = { route: this.tokenRoute(), needsToken: false };
    this.routes = [token, ...modelled.map((route) => ({ route, needsToken: true }))];
  }

  /**
   * A comment a person wrote (the command), as GitHub stores it before
   * sending the webhook; `issue`: in that PR's conversation instead.
   */
  addUserComment(login: string, body: string, issue?: number): { id: number; createdAt: string } {
    const createdAt = timestamp();
    const comment: StoredComment = {
      id: ++this.commentSeq,
      user: simpleUser(login, "User", 21031067),
      body,
      createdAt,
      updatedAt: createdAt,
      history: [body],
    };
    if (issue !== undefined && issue !== this.options.issue.number) comment.issue = issue;
    this.comments.push(comment);
    return { id: comment.id, createdAt };
  }

  /**
   * An inline comment a person wrote on `line` of `path` in a PR's diff (or a
   * reply in a thread), as GitHub stores it; a line outside the diff is
   * refused, as GitHub refuses it.
   */
  async addReviewComment(
    login: string,
    comment: { pull: number; path: string; line: number; body: string; inReplyTo?: number },
  ): Promise<StoredReviewComment> {
    const pull = this.pulls.find((p) => p.number === comment.pull);
    if (!pull) throw new Error(`no pull request #${comment.pull}`);
    const commitId = (await this.options.bare.head(pull.head))!;
    const diffHunk = await localDiffHunk(this.options.bare.dir, pull, comment.path, comment.line);
    const createdAt = timestamp();
    const user = simpleUser(login, "User", 21031067);
    const stored: StoredReviewComment = {
      ...{ ...comment, id: ++this.commentSeq, user, diffHunk, commitId },
      ...{ inReplyTo: comment.inReplyTo ?? null, createdAt, updatedAt: createdAt },
    };
    this.reviewComments.push(stored);
    return stored;
  }

  /** A review a person submitted on a PR's current head. */
  async addReview(login: string, pull: number, state: StoredReview["state"], body: string): Promise<StoredReview> {
    const head = this.pulls.find((p) => p.number === pull)?.head;
    const commitId = head ? await this.options.bare.head(head) : null;
    if (!commitId) throw new Error(`no pull request #${pull}`);
    const user = simpleUser(login, "User", 21031067);
    const review: StoredReview = { id: ++this.commentSeq, pull, user, body, state, commitId, submittedAt: timestamp() };
    this.reviews.push(review);
    return review;
  }

  /** Requests from index `from` on, counted by route. */
  countByRoute(from = 0): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const request of this.requests.slice(from)) counts[request.route] = (counts[request.route] ?? 0) + 1;
    return counts;
  }

  /** Registers every route as a persisted nock interceptor on https://api.github.com. */
  install(): void {
    for (const registered of this.routes) this.intercept(registered);
  }

  /** Lets another writer move a branch between okstra's read of it and its next `createCommitOnBranch`. */
  beforeNextCommitOnBranch(hook: () => Promise<void>): void {
    this.gitState.beforeNextCommitOnBranch = hook;
  }

  uninstall(): void {
    for (const interceptor of this.interceptors.splice(0)) nock.removeInterceptor(interceptor);
  }

  /**
   * Answers a request as the first route that matches it (method, path,
   * body) — the order nock tries the interceptors in — or `undefined` when
   * the fake does not model it; such a request is not recorded here.
   */
  async handle(request: FakeRequest): Promise<Reply | undefined> {
    const pathOnly = request.path.split("?")[0];
    const registered = this.routes.find(
      ({ route }) =>
        route.method === request.method &&
        (route.path.test(request.path) || route.path.test(pathOnly)) &&
        (!route.matchBody || route.matchBody(request.body)),
    );
    return registered && this.answer(registered, request);
  }

  /** The exchange Probot makes before a job's first call (a JWT, not the installation token). */
  private tokenRoute(): Route {
    return {
      method: "POST",
      name: "POST /app/installations/{installation_id}/access_tokens",
      path: new RegExp(`^/app/installations/${this.options.installationId ?? 1}/access_tokens$`),
      handle: () => [
        201,
        {
          token: this.options.installationToken,
          expires_at: "2099-01-01T00:00:00Z",
          permissions: { contents: "write", issues: "write", pull_requests: "write" },
          repository_selection: "selected",
        },
      ],
    };
  }

  private intercept(registered: RegisteredRoute): void {
    const fake = this;
    const { route } = registered;
    // A model of GitHub, not a list of expected calls: a route no request needed is not a stale mock.
    const interceptor = httpMock().persist().intercept(route.path, route.method, route.matchBody).optionally();
    interceptor.reply(async function (
      this: { req: { headers: Record<string, string | string[]> } },
      uri: string,
      body: unknown,
    ): Promise<Reply> {
      const headers = Object.fromEntries(
        Object.entries(this.req.headers).map(([k, v]) => [k.toLowerCase(), String(v)]),
      );
      return fake.answer(registered, { method: route.method, path: uri, body, headers });
    });
    this.interceptors.push(interceptor);
  }

  /** Records the request, checks the installation token and lets the route answer. */
  private async answer({ route, needsToken }: RegisteredRoute, { path, body, headers }: FakeRequest): Promise<Reply> {
    const authorized = headers.authorization === `token ${this.options.installationToken}`;
    const record: ApiRequest = { method: route.method, route: route.name, path, body, status: 0, authorized };
    this.requests.push(record);
    const request: RouteRequest = {
      url: new URL(path, "https://api.github.com"),
      params: route.path.exec(path.split("?")[0])?.slice(1) ?? [],
      body,
      headers,
    };
    const reply: Reply =
      needsToken && !authorized
        ? [401, { message: "Bad credentials", documentation_url: "https://docs.github.com/rest", status: "401" }]
        : await route.handle(request);
    record.status = reply[0];
    return reply;
  }
}
