import type { CommitComparison, CommitSummary, RepoRef } from "../types.js";
import type { GitHubClient } from "./client.js";
import { nullOn404 } from "./errors.js";

/**
 * Comparing two commits (stale-SHA reconciliation, SPEC §10) in one request
 * wherever GitHub allows: `GET compare/{base}...{head}` gives the ancestry
 * (`status`), base's tree (`base_commit`), and the commits merge-base..head —
 * head among them, with its tree, whenever head is not an ancestor of base.
 * When head is an ancestor of base, the merge base *is* head. Only when head
 * is past the first 250 commits of the list (a comparison GitHub truncates) is
 * its tree read with a second request, `GET git/commits/{head}`.
 */

type Comparison = Awaited<ReturnType<typeof requestComparison>>["data"];
type RestCommit = Comparison["commits"][number];

function requestComparison(client: GitHubClient, repo: RepoRef, base: string, head: string) {
  // No paging parameters: GitHub then lists up to 250 commits, the most it lists on one page.
  return client.request("GET /repos/{owner}/{repo}/compare/{basehead}", { ...repo, basehead: `${base}...${head}` });
}

export async function fetchComparison(
  client: GitHubClient,
  repo: RepoRef,
  base: string,
  head: string,
): Promise<CommitComparison | null> {
  const response = await nullOn404(() => requestComparison(client, repo, base, head));
  if (response === null) return null;
  const data = response.data;
  const baseTree = data.base_commit.commit.tree.sha;
  const headTree = await headTreeOf(client, repo, data, head);
  return { status: data.status, sameTree: baseTree === headTree, commits: data.commits.map(summary) };
}

async function headTreeOf(client: GitHubClient, repo: RepoRef, data: Comparison, head: string): Promise<string> {
  if (data.status === "identical") return data.base_commit.commit.tree.sha;
  if (data.status === "behind") return data.merge_base_commit.commit.tree.sha;
  const listed = data.commits.find((c) => c.sha === head);
  if (listed) return listed.commit.tree.sha;
  const { data: commit } = await client.request("GET /repos/{owner}/{repo}/git/commits/{commit_sha}", {
    ...repo,
    commit_sha: head,
  });
  return commit.tree.sha;
}

function summary(commit: RestCommit): CommitSummary {
  const login = commit.author && "login" in commit.author ? commit.author.login : undefined;
  return {
    sha: commit.sha,
    author: login ?? commit.commit.author?.name ?? "unknown",
    subject: commit.commit.message.split("\n")[0]!,
  };
}
