import type { BareRepo } from "./bare-repo.js";
import {
  API,
  notFound,
  repoPath,
  simpleUser,
  timestamp,
  type Reply,
  type Route,
  type Schemas,
  type SimpleUser,
} from "./fake-routes.js";

/**
 * The repository, its configuration file, permissions, the issue, its
 * comments and reactions — the conversation side of the fake GitHub.
 */

export interface StoredComment {
  id: number;
  user: SimpleUser;
  body: string;
  createdAt: string;
  updatedAt: string;
  /** Every body the comment had, oldest first: the first is the created one, each PATCH adds one. */
  history: string[];
  /** The issue or pull request it was written on; absent: the task's issue. */
  issue?: number;
}

export interface StoredReaction {
  commentId: number;
  content: string;
  user: string;
}

export interface IssueState {
  owner: string;
  repo: string;
  defaultBranch: string;
  bare: BareRepo;
  /** The issue as GitHub's REST API returns it (from a real webhook payload). */
  issue: Record<string, unknown> & { number: number };
  comments: StoredComment[];
  reactions: StoredReaction[];
  permissions: Record<string, "admin" | "maintain" | "write" | "triage" | "read">;
  /** The App's bot user, the author of everything okstra writes. */
  bot: SimpleUser;
  nextCommentId(): number;
  /** Pull requests are issues too: their conversation comments use the issue routes. */
  isPullRequest(number: number): boolean;
}

type IssueComment = Pick<
  Schemas["issue-comment"],
  | "id"
  | "node_id"
  | "url"
  | "html_url"
  | "issue_url"
  | "body"
  | "user"
  | "created_at"
  | "updated_at"
  | "author_association"
>;

export function commentResource(state: IssueState, comment: StoredComment): IssueComment {
  const base = `${API}/repos/${state.owner}/${state.repo}`;
  const issue = comment.issue ?? state.issue.number;
  const kind = issue === state.issue.number ? "issues" : "pull";
  return {
    id: comment.id,
    node_id: Buffer.from(`012:IssueComment${comment.id}`).toString("base64"),
    url: `${base}/issues/comments/${comment.id}`,
    html_url: `https://github.com/${state.owner}/${state.repo}/${kind}/${issue}#issuecomment-${comment.id}`,
    issue_url: `${base}/issues/${issue}`,
    body: comment.body,
    user: comment.user as Schemas["issue-comment"]["user"],
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
    author_association: comment.user.type === "Bot" ? "NONE" : "OWNER",
  };
}

export function issueRoutes(state: IssueState): Route[] {
  const path = (rest: string) => repoPath(state.owner, state.repo, rest);
  const issuePath = `/issues/${state.issue.number}`;
  const exists = (number: number) => number === state.issue.number || state.isPullRequest(number);
  return [
    {
      method: "GET",
      name: "GET /repos/{owner}/{repo}",
      path: path(""),
      handle: () => [200, repository(state)],
    },
    {
      method: "GET",
      name: "GET /repos/{owner}/{repo}/contents/{path}",
      path: path("/contents/(.+?)"),
      handle: ({ params, url, headers }) =>
        contents(
          state,
          decodeURIComponent(params[0]),
          url.searchParams.get("ref") ?? state.defaultBranch,
          headers.accept ?? "",
        ),
    },
    {
      method: "GET",
      name: "GET /repos/{owner}/{repo}/collaborators/{username}/permission",
      path: path("/collaborators/([^/?]+)/permission"),
      handle: ({ params }) => permission(state, decodeURIComponent(params[0])),
    },
    {
      method: "GET",
      name: "GET /repos/{owner}/{repo}/issues/{issue_number}",
      path: path(issuePath),
      handle: () => [200, state.issue],
    },
    {
      method: "GET",
      name: "GET /repos/{owner}/{repo}/issues/{issue_number}/comments",
      path: path("/issues/(\\d+)/comments"),
      // One page: the scenarios stay far below per_page=100, so no Link header.
      handle: ({ params }) => {
        const issue = Number(params[0]);
        if (!exists(issue)) return notFound("issues/comments#list-issue-comments");
        const on = state.comments.filter((c) => (c.issue ?? state.issue.number) === issue);
        return [200, on.map((c) => commentResource(state, c))];
      },
    },
    {
      method: "POST",
      name: "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
      path: path("/issues/(\\d+)/comments"),
      handle: ({ params, body }) => {
        const issue = Number(params[0]);
        if (!exists(issue)) return notFound("issues/comments#create-an-issue-comment");
        const now = timestamp();
        const comment: StoredComment = {
          id: state.nextCommentId(),
          user: state.bot,
          body: body.body,
          createdAt: now,
          updatedAt: now,
          history: [body.body],
        };
        if (issue !== state.issue.number) comment.issue = issue;
        state.comments.push(comment);
        return [201, commentResource(state, comment)];
      },
    },
    {
      method: "PATCH",
      name: "PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}",
      path: path("/issues/comments/(\\d+)"),
      handle: ({ params, body }) => {
        const comment = state.comments.find((c) => c.id === Number(params[0]));
        if (!comment) return notFound("issues/comments#update-an-issue-comment");
        comment.body = body.body;
        comment.updatedAt = timestamp();
        comment.history.push(body.body);
        return [200, commentResource(state, comment)];
      },
    },
    {
      method: "POST",
      name: "POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions",
      path: path("/issues/comments/(\\d+)/reactions"),
      handle: ({ params, body }) => reaction(state, Number(params[0]), body.content),
    },
  ];
}

type Repository = Pick<
  Schemas["full-repository"],
  "id" | "node_id" | "name" | "full_name" | "private" | "default_branch" | "url" | "html_url"
>;

function repository(state: IssueState): Repository {
  return {
    id: 1296269,
    node_id: "MDEwOlJlcG9zaXRvcnkxMjk2MjY5",
    name: state.repo,
    full_name: `${state.owner}/${state.repo}`,
    private: false,
    default_branch: state.defaultBranch,
    url: `${API}/repos/${state.owner}/${state.repo}`,
    html_url: `https://github.com/${state.owner}/${state.repo}`,
  };
}

/** The file as it is on `ref` in the repository; the raw media type answers with the bytes themselves. */
async function contents(state: IssueState, filePath: string, ref: string, accept: string): Promise<Reply> {
  const text = await state.bare.fileAt(ref, filePath);
  if (text === null) return notFound("repos/contents#get-repository-content");
  if (accept.includes("application/vnd.github.raw"))
    return [200, text, { "content-type": "application/vnd.github.raw+json; charset=utf-8" }];
  const file: Pick<Schemas["content-file"], "type" | "encoding" | "size" | "name" | "path" | "content"> = {
    type: "file",
    encoding: "base64",
    size: Buffer.byteLength(text),
    name: filePath.split("/").pop() ?? filePath,
    path: filePath,
    content: Buffer.from(text).toString("base64"),
  };
  return [200, file];
}

function permission(state: IssueState, login: string): Reply {
  const role = state.permissions[login];
  if (!role) return notFound("collaborators/collaborators#get-repository-permissions-for-a-user");
  // `permission` is the legacy level a role maps to: maintain → write, triage → read.
  const legacy = role === "maintain" ? "write" : role === "triage" ? "read" : role;
  const body: Pick<Schemas["repository-collaborator-permission"], "permission" | "role_name"> & { user: SimpleUser } = {
    permission: legacy,
    role_name: role,
    user: simpleUser(login, "User", 21031067),
  };
  return [200, body];
}

/** 201 for a new reaction, 200 when this user already reacted so (GitHub's documented answer). */
function reaction(state: IssueState, commentId: number, content: string): Reply {
  if (!state.comments.some((c) => c.id === commentId))
    return notFound("reactions/reactions#create-reaction-for-an-issue-comment");
  const existing = state.reactions.findIndex(
    (r) => r.commentId === commentId && r.content === content && r.user === state.bot.login,
  );
  if (existing < 0) state.reactions.push({ commentId, content, user: state.bot.login });
  const body: Pick<Schemas["reaction"], "id" | "node_id" | "user" | "content" | "created_at"> = {
    id: (existing < 0 ? state.reactions.length : existing + 1) + 100,
    node_id: Buffer.from(`08:Reaction${commentId}${content}`).toString("base64"),
    user: state.bot as Schemas["reaction"]["user"],
    content: content as Schemas["reaction"]["content"],
    created_at: timestamp(),
  };
  return [existing < 0 ? 201 : 200, body];
}
