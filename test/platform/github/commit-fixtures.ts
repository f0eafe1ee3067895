import type { components } from "@octokit/openapi-types";

/**
 * GitHub's REST shapes for commits and comparisons, typed against
 * @octokit/openapi-types so a field okstra reads cannot be invented here.
 */

type RestCommit = components["schemas"]["commit"];
type Comparison = components["schemas"]["commit-comparison"];

export function restUser(login: string): components["schemas"]["simple-user"] {
  const url = `https://api.github.com/users/${login}`;
  return {
    login,
    id: 1,
    node_id: "MDQ6VXNlcjE=",
    avatar_url: `https://avatars.githubusercontent.com/u/1?v=4`,
    gravatar_id: "",
    url,
    html_url: `https://github.com/${login}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type: "User",
    site_admin: false,
  };
}

/** A commit as `compare` lists it; `login` null is an author GitHub cannot match to an account. */
export function restCommit(
  apiRepo: string,
  input: { sha: string; tree: string; message: string; name: string; login: string | null; parents?: string[] },
): RestCommit {
  const api = `https://api.github.com${apiRepo}`;
  const person = {
    name: input.name,
    email: `${input.name.toLowerCase().replace(/\s+/g, ".")}@example.com`,
    date: "2026-11-21T10:00:00Z",
  };
  return {
    url: `${api}/commits/${input.sha}`,
    sha: input.sha,
    node_id: `C_${input.sha.slice(0, 8)}`,
    html_url: `https://github.com${apiRepo.replace(/^\/repos/, "")}/commit/${input.sha}`,
    comments_url: `${api}/commits/${input.sha}/comments`,
    commit: {
      url: `${api}/git/commits/${input.sha}`,
      author: person,
      committer: person,
      message: input.message,
      comment_count: 0,
      tree: { sha: input.tree, url: `${api}/git/trees/${input.tree}` },
    },
    author: input.login ? restUser(input.login) : null,
    committer: input.login ? restUser(input.login) : null,
    parents: (input.parents ?? []).map((sha) => ({ sha, url: `${api}/commits/${sha}` })),
  };
}

/** `GET compare/{base}...{head}`: `commits` are merge-base..head, as GitHub lists them. */
export function restComparison(
  apiRepo: string,
  input: {
    base: RestCommit;
    mergeBase: RestCommit;
    status: Comparison["status"];
    commits: RestCommit[];
    totalCommits?: number;
    behindBy?: number;
  },
): Comparison {
  const web = `https://github.com${apiRepo.replace(/^\/repos/, "")}`;
  const head = input.commits.at(-1)?.sha ?? input.mergeBase.sha;
  return {
    url: `https://api.github.com${apiRepo}/compare/${input.base.sha}...${head}`,
    html_url: `${web}/compare/${input.base.sha}...${head}`,
    permalink_url: `${web}/compare/${input.base.sha}...${head}`,
    diff_url: `${web}/compare/${input.base.sha}...${head}.diff`,
    patch_url: `${web}/compare/${input.base.sha}...${head}.patch`,
    base_commit: input.base,
    merge_base_commit: input.mergeBase,
    status: input.status,
    ahead_by: input.totalCommits ?? input.commits.length,
    behind_by: input.behindBy ?? 0,
    total_commits: input.totalCommits ?? input.commits.length,
    commits: input.commits,
    files: [],
  };
}

/** `GET git/commits/{sha}`. */
export function restGitCommit(apiRepo: string, sha: string, tree: string): components["schemas"]["git-commit"] {
  const api = `https://api.github.com${apiRepo}`;
  const person = { name: "Alice", email: "alice@example.com", date: "2026-11-21T10:00:00Z" };
  return {
    sha,
    node_id: `C_${sha.slice(0, 8)}`,
    url: `${api}/git/commits/${sha}`,
    html_url: `https://github.com${apiRepo.replace(/^\/repos/, "")}/commit/${sha}`,
    author: person,
    committer: person,
    message: "a commit",
    tree: { sha: tree, url: `${api}/git/trees/${tree}` },
    parents: [],
    verification: { verified: false, reason: "unsigned", signature: null, payload: null, verified_at: null },
  };
}
