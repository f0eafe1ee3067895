import type { BareRepo, FileChange } from "./bare-repo.js";
import { API, notFound, repoPath, unprocessable, type Reply, type Route, type Schemas } from "./fake-routes.js";

/**
 * Git data (refs, trees, blobs, commits) and GraphQL `createCommitOnBranch`,
 * answered from the bare repository the git server serves — so the ledger
 * branch okstra commits through the API and the stage branches it pushes
 * over git live in one repository, as on GitHub.
 */

export interface GitState {
  owner: string;
  repo: string;
  bare: BareRepo;
  /** Every `createCommitOnBranch` input, in order, with the commit it produced (null: refused). */
  commitsOnBranch: Array<{ input: CreateCommitOnBranchInput; oid: string | null }>;
  /** Runs once, just before the next `createCommitOnBranch` is applied: another writer's chance to move the branch. */
  beforeNextCommitOnBranch?: () => Promise<void>;
}

export interface CreateCommitOnBranchInput {
  branch: { repositoryNameWithOwner: string; branchName: string };
  expectedHeadOid: string;
  message: { headline: string; body?: string };
  fileChanges?: { additions?: Array<{ path: string; contents: string }>; deletions?: Array<{ path: string }> };
}

export function gitRoutes(state: GitState): Route[] {
  const path = (rest: string) => repoPath(state.owner, state.repo, rest);
  const base = `${API}/repos/${state.owner}/${state.repo}`;
  const ref = (branch: string, sha: string): Schemas["git-ref"] => ({
    ref: `refs/heads/${branch}`,
    node_id: Buffer.from(`03:Ref${branch}`).toString("base64"),
    url: `${base}/git/refs/heads/${branch}`,
    object: { type: "commit", sha, url: `${base}/git/commits/${sha}` },
  });

  return [
    {
      method: "GET",
      name: "GET /repos/{owner}/{repo}/git/ref/{ref}",
      path: path("/git/ref/heads/(.+?)"),
      handle: async ({ params }) => {
        const branch = params[0].split("/").map(decodeURIComponent).join("/");
        const sha = await state.bare.head(branch);
        return sha ? [200, ref(branch, sha)] : notFound("git/refs#get-a-reference");
      },
    },
    {
      method: "GET",
      name: "GET /repos/{owner}/{repo}/git/trees/{tree_sha}",
      path: path("/git/trees/([0-9a-f]{40})"),
      handle: async ({ params, url }) => {
        const tree = await state.bare.treeOf(params[0]);
        if (!tree) return notFound("git/trees#get-a-tree");
        const recursive = url.searchParams.has("recursive");
        const entries = await state.bare.listTree(tree, recursive);
        const body: Schemas["git-tree"] = {
          sha: tree,
          url: `${base}/git/trees/${tree}`,
          truncated: false,
          tree: entries.map((e) => ({ ...e, url: `${base}/git/${e.type === "tree" ? "trees" : "blobs"}/${e.sha}` })),
        };
        return [200, body];
      },
    },
    {
      method: "GET",
      name: "GET /repos/{owner}/{repo}/git/blobs/{file_sha}",
      path: path("/git/blobs/([0-9a-f]{40})"),
      handle: async ({ params }) => {
        if ((await state.bare.typeOf(params[0])) !== "blob") return notFound("git/blobs#get-a-blob");
        const bytes = await state.bare.blob(params[0]);
        const body: Schemas["blob"] = {
          sha: params[0],
          node_id: Buffer.from(`04:Blob${params[0]}`).toString("base64"),
          size: bytes.length,
          url: `${base}/git/blobs/${params[0]}`,
          // GitHub wraps base64 at 60 characters; decoders ignore the newlines, and so must okstra's.
          content: bytes.toString("base64").replace(/.{60}/g, "$&\n"),
          encoding: "base64",
        };
        return [200, body];
      },
    },
    {
      method: "POST",
      name: "POST /repos/{owner}/{repo}/git/trees",
      path: path("/git/trees"),
      handle: ({ body }) => createTree(state, base, body),
    },
    {
      method: "POST",
      name: "POST /repos/{owner}/{repo}/git/commits",
      path: path("/git/commits"),
      handle: ({ body }) => createCommit(state, base, body),
    },
    {
      method: "POST",
      name: "POST /repos/{owner}/{repo}/git/refs",
      path: path("/git/refs"),
      handle: async ({ body }) => {
        const branch = String(body.ref).replace(/^refs\/heads\//, "");
        if ((await state.bare.typeOf(body.sha)) !== "commit")
          return unprocessable("Object does not exist", "git/refs#create-a-reference");
        if (!(await state.bare.updateBranch(branch, body.sha, null)))
          return unprocessable("Reference already exists", "git/refs#create-a-reference");
        return [201, ref(branch, body.sha)];
      },
    },
    {
      method: "POST",
      name: "POST /graphql createCommitOnBranch",
      path: /^\/graphql$/,
      matchBody: (body) => typeof body?.query === "string" && /\bcreateCommitOnBranch\s*\(/.test(body.query),
      handle: ({ body }) => createCommitOnBranch(state, body.variables.input as CreateCommitOnBranchInput),
    },
  ];
}

async function createTree(
  state: GitState,
  base: string,
  body: { tree: Array<{ path: string; content?: string; sha?: string | null }>; base_tree?: string },
): Promise<Reply> {
  if (body.tree.some((e) => e.content === undefined && e.sha !== null))
    return unprocessable("fake GitHub: only inline contents and deletions are modelled", "git/trees#create-a-tree");
  const changes: FileChange[] = body.tree.map((e) => ({
    path: e.path,
    contents: e.content === undefined ? null : Buffer.from(e.content, "utf8"),
  }));
  const tree = await state.bare.writeTree(body.base_tree ?? null, changes);
  const entries = await state.bare.listTree(tree, false);
  const response: Schemas["git-tree"] = {
    sha: tree,
    url: `${base}/git/trees/${tree}`,
    truncated: false,
    tree: entries,
  };
  return [201, response];
}

async function createCommit(
  state: GitState,
  base: string,
  body: { message: string; tree: string; parents: string[] },
): Promise<Reply> {
  if ((await state.bare.typeOf(body.tree)) !== "tree")
    return unprocessable("Tree SHA does not exist", "git/commits#create-a-commit");
  const sha = await state.bare.commitTree(body.tree, body.parents, body.message);
  const response: Pick<Schemas["git-commit"], "sha" | "node_id" | "url" | "html_url" | "message" | "tree" | "parents"> =
    {
      sha,
      node_id: Buffer.from(`06:Commit${sha}`).toString("base64"),
      url: `${base}/git/commits/${sha}`,
      html_url: `https://github.com/${state.owner}/${state.repo}/commit/${sha}`,
      message: body.message,
      tree: { sha: body.tree, url: `${base}/git/trees/${body.tree}` },
      parents: body.parents.map((p) => ({
        sha: p,
        url: `${base}/git/commits/${p}`,
        html_url: `https://github.com/${state.owner}/${state.repo}/commit/${p}`,
      })),
    };
  return [201, response];
}

/**
 * The mutation's documented contract: the branch must exist, and it moves
 * only if it still points at `expectedHeadOid`; otherwise HTTP 200 with a
 * `STALE_DATA` error and `createCommitOnBranch: null`.
 */
async function createCommitOnBranch(state: GitState, input: CreateCommitOnBranchInput): Promise<Reply> {
  const record = { input, oid: null as string | null };
  state.commitsOnBranch.push(record);
  const hook = state.beforeNextCommitOnBranch;
  state.beforeNextCommitOnBranch = undefined;
  await hook?.();
  const fail = (type: string, message: string): Reply => [
    200,
    {
      data: { createCommitOnBranch: null },
      errors: [{ type, path: ["createCommitOnBranch"], locations: [{ line: 2, column: 9 }], message }],
    },
  ];
  if (input.branch.repositoryNameWithOwner !== `${state.owner}/${state.repo}`)
    return fail(
      "NOT_FOUND",
      `Could not resolve to a Repository with the name '${input.branch.repositoryNameWithOwner}'.`,
    );
  const head = await state.bare.head(input.branch.branchName);
  if (head === null) return fail("NOT_FOUND", `A ref named "refs/heads/${input.branch.branchName}" does not exist.`);
  if (head !== input.expectedHeadOid)
    return fail(
      "STALE_DATA",
      `Expected branch to point to "${input.expectedHeadOid}" but it did not. Pull and try again.`,
    );

  const existing = new Set((await state.bare.listTree(head, true)).filter((e) => e.type === "blob").map((e) => e.path));
  const deletions = input.fileChanges?.deletions ?? [];
  const missing = deletions.find((d) => !existing.has(d.path));
  if (missing)
    return fail("UNPROCESSABLE", `A path was requested for deletion which does not exist as of commit oid \`${head}\``);
  const changes: FileChange[] = [
    ...deletions.map((d) => ({ path: d.path, contents: null })),
    ...(input.fileChanges?.additions ?? []).map((a) => ({ path: a.path, contents: Buffer.from(a.contents, "base64") })),
  ];
  const tree = await state.bare.writeTree(head, changes);
  const message = input.message.body ? `${input.message.headline}\n\n${input.message.body}` : input.message.headline;
  const oid = await state.bare.commitTree(tree, [head], message);
  // The lock is on the ref itself: a writer that moved it meanwhile makes this one stale too.
  if (!(await state.bare.updateBranch(input.branch.branchName, oid, head))) {
    return fail(
      "STALE_DATA",
      `Expected branch to point to "${input.expectedHeadOid}" but it did not. Pull and try again.`,
    );
  }
  record.oid = oid;
  return [200, { data: { createCommitOnBranch: { commit: { oid, tree: { oid: tree } } } } }];
}
