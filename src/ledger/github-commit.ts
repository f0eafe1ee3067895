import { encodePathSegments } from "../platform/github/errors.js";
import type { GitHubClient } from "../platform/github/client.js";
import type { RepoRef } from "../platform/types.js";
import { apiMessage, graphqlMessages, isNotFastForward, isReferenceExists, isStaleHead } from "./github-errors.js";
import type { CommitOutcome, FileChanges } from "./store.js";

/**
 * The three ways the GitHub adapter writes a ledger commit. Each is a
 * compare-and-swap whose lost race comes back as `{ ok: false }`, never as a
 * thrown error, and never retried here: the mutation must be re-applied to
 * the other writer's files, which only the mutation engine can do.
 *
 * GitHub counts every one of these POST/PATCH requests against the
 * content-creation limit (80 a minute), which is why the GraphQL recipe —
 * one request — is the default.
 */

export interface GitHubTarget {
  client: GitHubClient;
  repo: RepoRef;
  branch: string;
}

export interface WriteResult {
  outcome: CommitOutcome;
  /** The new commit's root tree, when the API told us. */
  treeSha?: string;
}

function splitMessage(message: string): { headline: string; body: string } {
  const [headline = "", ...rest] = message.split("\n");
  return { headline, body: rest.join("\n").trim() };
}

function additions(changes: FileChanges): Array<{ path: string; text: string }> {
  return [...changes].flatMap(([path, text]) => (text === null ? [] : [{ path, text }]));
}

/**
 * GraphQL `createCommitOnBranch` with `expectedHeadOid`: one request that
 * writes blobs, tree and commit and moves the branch only if it is still at
 * `parent` (documented as the mutation's optimistic lock).
 */
export async function commitWithGraphql(
  target: GitHubTarget,
  parent: string,
  changes: FileChanges,
  message: string,
): Promise<WriteResult> {
  const { owner, repo } = target.repo;
  const input = {
    branch: { repositoryNameWithOwner: `${owner}/${repo}`, branchName: target.branch },
    expectedHeadOid: parent,
    message: splitMessage(message),
    fileChanges: {
      additions: additions(changes).map(({ path, text }) => ({
        path,
        contents: Buffer.from(text, "utf8").toString("base64"),
      })),
      deletions: [...changes].flatMap(([path, text]) => (text === null ? [{ path }] : [])),
    },
  };
  try {
    const result = await target.client.graphql<{
      createCommitOnBranch: { commit: { oid: string; tree: { oid: string } } };
    }>(
      `mutation OkstraLedgerCommit($input: CreateCommitOnBranchInput!) {
        createCommitOnBranch(input: $input) { commit { oid tree { oid } } }
      }`,
      { input },
    );
    const commit = result.createCommitOnBranch.commit;
    return { outcome: { ok: true, commit: commit.oid }, treeSha: commit.tree.oid };
  } catch (error) {
    if (isStaleHead(error)) return { outcome: { ok: false, lostRace: true, detail: graphqlMessages(error) } };
    throw error;
  }
}

async function createTree(target: GitHubTarget, changes: FileChanges, baseTree?: string): Promise<string> {
  const { owner, repo } = target.repo;
  const tree = [...changes].map(([path, text]) =>
    text === null
      ? { path, mode: "100644" as const, type: "blob" as const, sha: null }
      : { path, mode: "100644" as const, type: "blob" as const, content: text },
  );
  const { data } = await target.client.request("POST /repos/{owner}/{repo}/git/trees", {
    owner,
    repo,
    tree,
    ...(baseTree ? { base_tree: baseTree } : {}),
  });
  return data.sha;
}

async function createCommit(target: GitHubTarget, tree: string, parents: string[], message: string): Promise<string> {
  const { owner, repo } = target.repo;
  const { data } = await target.client.request("POST /repos/{owner}/{repo}/git/commits", {
    owner,
    repo,
    message,
    tree,
    parents,
  });
  return data.sha;
}

/**
 * The Git Data recipe: tree (with inline contents) + commit + `PATCH
 * git/refs` with `force: false` — three content-creating requests. A moved
 * ref makes our commit a non-descendant, which GitHub refuses with 422
 * "Update is not a fast forward".
 */
export async function commitWithRest(
  target: GitHubTarget,
  parent: string,
  parentTree: string,
  changes: FileChanges,
  message: string,
): Promise<WriteResult> {
  const { owner, repo } = target.repo;
  const treeSha = await createTree(target, changes, parentTree);
  const commit = await createCommit(target, treeSha, [parent], message);
  try {
    await target.client.request(`PATCH /repos/{owner}/{repo}/git/refs/heads/${encodePathSegments(target.branch)}`, {
      owner,
      repo,
      sha: commit,
      force: false,
    });
  } catch (error) {
    if (isNotFastForward(error)) return { outcome: { ok: false, lostRace: true, detail: apiMessage(error) } };
    throw error;
  }
  return { outcome: { ok: true, commit }, treeSha };
}

/**
 * First write: `createCommitOnBranch` needs an existing branch, so the orphan
 * is built with the Git Data API (tree and commit without parents) and the
 * branch created with `POST git/refs`; if another writer created it first,
 * GitHub answers 422 "Reference already exists" — a lost race.
 */
export async function createOrphanBranch(
  target: GitHubTarget,
  changes: FileChanges,
  message: string,
): Promise<WriteResult> {
  const { owner, repo } = target.repo;
  const onlyAdditions = new Map(additions(changes).map(({ path, text }) => [path, text] as const));
  const treeSha = await createTree(target, onlyAdditions);
  const commit = await createCommit(target, treeSha, [], message);
  try {
    await target.client.request("POST /repos/{owner}/{repo}/git/refs", {
      owner,
      repo,
      ref: `refs/heads/${target.branch}`,
      sha: commit,
    });
  } catch (error) {
    if (isReferenceExists(error)) return { outcome: { ok: false, lostRace: true, detail: apiMessage(error) } };
    throw error;
  }
  return { outcome: { ok: true, commit }, treeSha };
}
