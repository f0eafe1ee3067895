import nock from "nock";
import { httpMock } from "../helpers/http-mock.js";
import type { BareRepo } from "./bare-repo.js";
import { gitRoutes, type GitState } from "./fake-git-routes.js";
import { issueRoutes, type IssueState, type StoredComment, type StoredReaction } from "./fake-issue-routes.js";
import { pullRoutes, type PullState, type StoredPull } from "./fake-pull-routes.js";
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
}

const BOT_LOGIN = "okstra[bot]";

export class FakeGitHub {
  readonly requests: ApiRequest[] = [];
  readonly comments: StoredComment[] = [];
  readonly reactions: StoredReaction[] = [];
  readonly pulls: StoredPull[] = [];
  readonly commitsOnBranch: GitState["commitsOnBranch"] = [];
  private readonly interceptors: nock.Interceptor[] = [];
  private gitState?: GitState;
  private commentSeq = 1_100_000_000;
  private issueSeq: number;

  constructor(private readonly options: FakeGitHubOptions) {
    this.issueSeq = options.issue.number;
  }

  /** A comment a person wrote (the command), as GitHub stores it before sending the webhook. */
  addUserComment(login: string, body: string): { id: number; createdAt: string } {
    const createdAt = timestamp();
    const comment: StoredComment = { id: ++this.commentSeq, user: simpleUser(login, "User", 21031067), body, createdAt, updatedAt: createdAt, history: [body] };
    this.comments.push(comment);
    return { id: comment.id, createdAt };
  }

  /** Requests from index `from` on, counted by route. */
  countByRoute(from = 0): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const request of this.requests.slice(from)) counts[request.route] = (counts[request.route] ?? 0) + 1;
    return counts;
  }

  install(): void {
    const { owner, repo, bare } = this.options;
    const bot = simpleUser(BOT_LOGIN, "Bot", 9_000_001);
    const issueState: IssueState = {
      owner,
      repo,
      bare,
      defaultBranch: this.options.defaultBranch ?? "main",
      issue: this.options.issue,
      comments: this.comments,
      reactions: this.reactions,
      permissions: this.options.permissions ?? { Codertocat: "admin" },
      bot,
      nextCommentId: () => ++this.commentSeq,
    };
    const pullState: PullState = { owner, repo, bare, bot, pulls: this.pulls, nextIssueNumber: () => ++this.issueSeq };
    const gitState: GitState = { owner, repo, bare, commitsOnBranch: this.commitsOnBranch };
    this.gitState = gitState;
    this.register(this.tokenRoute(), false);
    for (const route of [...issueRoutes(issueState), ...pullRoutes(pullState), ...gitRoutes(gitState)]) this.register(route, true);
  }

  /** Lets another writer move a branch between okstra's read of it and its next `createCommitOnBranch`. */
  beforeNextCommitOnBranch(hook: () => Promise<void>): void {
    if (!this.gitState) throw new Error("install() the fake first");
    this.gitState.beforeNextCommitOnBranch = hook;
  }

  uninstall(): void {
    for (const interceptor of this.interceptors.splice(0)) nock.removeInterceptor(interceptor);
  }

  /** The exchange Probot makes before a job's first call (a JWT, not the installation token). */
  private tokenRoute(): Route {
    return {
      method: "POST",
      name: "POST /app/installations/{installation_id}/access_tokens",
      path: new RegExp(`^/app/installations/${this.options.installationId ?? 1}/access_tokens$`),
      handle: () => [201, { token: this.options.installationToken, expires_at: "2099-01-01T00:00:00Z", permissions: { contents: "write", issues: "write", pull_requests: "write" }, repository_selection: "selected" }],
    };
  }

  private register(route: Route, needsToken: boolean): void {
    const fake = this;
    const interceptor = httpMock()
      .persist()
      .intercept(route.path, route.method, route.matchBody);
    interceptor.reply(async function (this: { req: { headers: Record<string, string | string[]> } }, uri: string, body: unknown): Promise<Reply> {
      const headers = Object.fromEntries(Object.entries(this.req.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
      const authorized = headers.authorization === `token ${fake.options.installationToken}`;
      const record: ApiRequest = { method: route.method, route: route.name, path: uri, body, status: 0, authorized };
      fake.requests.push(record);
      const request: RouteRequest = { url: new URL(uri, "https://api.github.com"), params: route.path.exec(uri.split("?")[0])?.slice(1) ?? [], body, headers };
      const reply: Reply =
        needsToken && !authorized ? [401, { message: "Bad credentials", documentation_url: "https://docs.github.com/rest", status: "401" }] : await route.handle(request);
      record.status = reply[0];
      return reply;
    });
    this.interceptors.push(interceptor);
  }
}
