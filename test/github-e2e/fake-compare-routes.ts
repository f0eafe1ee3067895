import { git } from "../../src/util/git.js";
import type { BareRepo } from "./bare-repo.js";
import { API, notFound, repoPath, type Reply, type Route, type Schemas } from "./fake-routes.js";

/**
 * `GET compare/{base}...{head}`, answered by git from the bare repository:
 * the ancestry (`status`, ahead/behind), both ends and the merge base as
 * commits, and the commits merge-base..head oldest first — what okstra reads
 * to tell a person's push from its own (src/platform/github/commits.ts).
 */

export interface CompareState {
  owner: string;
  repo: string;
  bare: BareRepo;
}

type CommitFields = "url" | "sha" | "node_id" | "html_url" | "comments_url" | "author" | "committer" | "parents";
type GitCommit = Pick<Schemas["commit"], CommitFields> & {
  commit: Pick<Schemas["commit"]["commit"], "url" | "author" | "committer" | "message" | "comment_count" | "tree">;
};

type Comparison = Pick<
  Schemas["commit-comparison"],
  | "url"
  | "html_url"
  | "permalink_url"
  | "diff_url"
  | "patch_url"
  | "status"
  | "ahead_by"
  | "behind_by"
  | "total_commits"
> & { base_commit: GitCommit; merge_base_commit: GitCommit; commits: GitCommit[] };

export function compareRoutes(state: CompareState): Route[] {
  return [
    {
      method: "GET",
      name: "GET /repos/{owner}/{repo}/compare/{basehead}",
      path: repoPath(state.owner, state.repo, "/compare/([0-9a-zA-Z_./-]+?)\\.\\.\\.([0-9a-zA-Z_./-]+)"),
      handle: ({ params }) => compare(state, decodeURIComponent(params[0]), decodeURIComponent(params[1])),
    },
  ];
}

async function compare(state: CompareState, baseRef: string, headRef: string): Promise<Reply> {
  const run = (args: string[]) => git(args, { cwd: state.bare.dir, allowFailure: true });
  const resolve = async (ref: string) => {
    const result = await run(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
    return result.exitCode === 0 ? result.stdout.trim() : null;
  };
  const [base, head] = [await resolve(baseRef), await resolve(headRef)];
  if (!base || !head) return notFound("commits/commits#compare-two-commits");
  const mergeBase = (await run(["merge-base", base, head])).stdout.trim();
  const count = async (range: string) => Number((await run(["rev-list", "--count", range])).stdout.trim());
  const [aheadBy, behindBy] = [await count(`${base}..${head}`), await count(`${head}..${base}`)];
  const listed = (await run(["rev-list", "--reverse", `${mergeBase}..${head}`])).stdout.split("\n").filter(Boolean);
  const status = behindBy === 0 ? (aheadBy === 0 ? "identical" : "ahead") : aheadBy === 0 ? "behind" : "diverged";
  const web = `https://github.com/${state.owner}/${state.repo}/compare/${baseRef}...${headRef}`;
  const body: Comparison = {
    url: `${API}/repos/${state.owner}/${state.repo}/compare/${baseRef}...${headRef}`,
    html_url: web,
    permalink_url: web,
    diff_url: `${web}.diff`,
    patch_url: `${web}.patch`,
    base_commit: await commit(state, base),
    merge_base_commit: await commit(state, mergeBase),
    status,
    ahead_by: aheadBy,
    behind_by: behindBy,
    total_commits: listed.length,
    commits: await Promise.all(listed.map((sha) => commit(state, sha))),
  };
  return [200, body];
}

/** A commit as the compare endpoint lists it; `author: null`: the fake has no accounts for git identities. */
async function commit(state: CompareState, sha: string): Promise<GitCommit> {
  const format = ["%T", "%P", "%an", "%ae", "%aI", "%cn", "%ce", "%cI", "%B"].join("%x00");
  const fields = (await git(["show", "-s", `--format=${format}`, sha], { cwd: state.bare.dir })).stdout.split("\0");
  const [tree, parents, an, ae, ad, cn, ce, cd] = fields;
  const message = fields.slice(8).join("\0").replace(/\n+$/, "");
  const base = `${API}/repos/${state.owner}/${state.repo}`;
  const web = `https://github.com/${state.owner}/${state.repo}`;
  const html = `${web}/commit/${sha}`;
  return {
    url: `${base}/commits/${sha}`,
    sha,
    node_id: Buffer.from(`06:Commit${sha}`).toString("base64"),
    html_url: html,
    comments_url: `${base}/commits/${sha}/comments`,
    commit: {
      url: `${base}/git/commits/${sha}`,
      author: { name: an, email: ae, date: ad.replace(/\+00:00$/, "Z") },
      committer: { name: cn, email: ce, date: cd.replace(/\+00:00$/, "Z") },
      message,
      comment_count: 0,
      tree: { sha: tree, url: `${base}/git/trees/${tree}` },
    },
    author: null,
    committer: null,
    parents: parents
      .split(" ")
      .filter(Boolean)
      .map((p) => ({ sha: p, url: `${base}/commits/${p}`, html_url: `${web}/commit/${p}` })),
  };
}
