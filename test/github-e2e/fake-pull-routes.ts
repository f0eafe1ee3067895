import type { BareRepo } from "./bare-repo.js";
import {
  API,
  notFound,
  repoPath,
  timestamp,
  unprocessable,
  type Reply,
  type Route,
  type Schemas,
  type SimpleUser,
} from "./fake-routes.js";

/**
 * Pull requests, with the validations GitHub applies that matter to okstra:
 * head and base must be branches of the repository (so a PR opened before
 * its branch was pushed fails, as it would on GitHub), and one open PR per
 * head and base.
 */

export interface StoredPull {
  number: number;
  title: string;
  body: string | null;
  head: string;
  base: string;
  draft: boolean;
  state: "open" | "closed";
  createdAt: string;
  updatedAt: string;
}

export interface PullState {
  owner: string;
  repo: string;
  bare: BareRepo;
  bot: SimpleUser;
  pulls: StoredPull[];
  /** PRs share the issue number sequence. */
  nextIssueNumber(): number;
}

type BranchRef = Pick<Schemas["pull-request"]["head"], "label" | "ref" | "sha">;
type PullResource = Pick<
  Schemas["pull-request"],
  | "url"
  | "id"
  | "node_id"
  | "html_url"
  | "number"
  | "state"
  | "locked"
  | "title"
  | "body"
  | "created_at"
  | "updated_at"
  | "closed_at"
  | "merged_at"
  | "draft"
> & { user: SimpleUser; head: BranchRef; base: BranchRef; merged?: boolean };

export function pullRoutes(state: PullState): Route[] {
  const path = (rest: string) => repoPath(state.owner, state.repo, rest);
  const find = (number: string) => state.pulls.find((p) => p.number === Number(number));
  return [
    {
      method: "GET",
      name: "GET /repos/{owner}/{repo}/pulls",
      path: path("/pulls"),
      handle: async ({ url }) => {
        const wanted = url.searchParams.get("state") ?? "open";
        const head = url.searchParams.get("head"); // `owner:branch`
        const base = url.searchParams.get("base");
        const listed = state.pulls.filter(
          (p) =>
            (wanted === "all" || p.state === wanted) &&
            (head === null || head === `${state.owner}:${p.head}`) &&
            (base === null || base === p.base),
        );
        return [200, await Promise.all(listed.map((p) => resource(state, p, false)))];
      },
    },
    {
      method: "GET",
      name: "GET /repos/{owner}/{repo}/pulls/{pull_number}",
      path: path("/pulls/(\\d+)"),
      handle: async ({ params }) => {
        const pull = find(params[0]);
        return pull ? [200, await resource(state, pull, true)] : notFound("pulls/pulls#get-a-pull-request");
      },
    },
    {
      method: "POST",
      name: "POST /repos/{owner}/{repo}/pulls",
      path: path("/pulls"),
      handle: ({ body }) => create(state, body),
    },
    {
      method: "PATCH",
      name: "PATCH /repos/{owner}/{repo}/pulls/{pull_number}",
      path: path("/pulls/(\\d+)"),
      handle: async ({ params, body }) => {
        const pull = find(params[0]);
        if (!pull) return notFound("pulls/pulls#update-a-pull-request");
        if (body.base !== undefined && (await state.bare.head(body.base)) === null) {
          return unprocessable("Validation Failed", "pulls/pulls#update-a-pull-request", [
            { resource: "PullRequest", field: "base", code: "invalid" },
          ]);
        }
        // `draft` is not a field of this endpoint: GitHub ignores it, and so does the fake.
        for (const key of ["title", "body", "base", "state"] as const)
          if (body[key] !== undefined) (pull as unknown as Record<string, unknown>)[key] = body[key];
        pull.updatedAt = timestamp();
        return [200, await resource(state, pull, true)];
      },
    },
    {
      method: "POST",
      name: "POST /graphql markPullRequestReadyForReview | convertPullRequestToDraft",
      path: /^\/graphql$/,
      matchBody: (body) => typeof body?.query === "string" && DRAFT_MUTATION.test(body.query),
      handle: ({ body }) => setDraft(state, body),
    },
  ];
}

/** The two draft mutations take the PR's node id; the fake answers the `pullRequest { isDraft }` okstra selects. */
function setDraft(state: PullState, body: { query: string; variables: Record<string, unknown> }): Reply {
  const ready = /\bmarkPullRequestReadyForReview\s*\(/.test(body.query);
  const mutation = ready ? "markPullRequestReadyForReview" : "convertPullRequestToDraft";
  const id = Object.values(body.variables ?? {}).find((v) => typeof v === "string");
  const pull = state.pulls.find((p) => nodeId(p.number) === id);
  if (!pull) {
    const message = `Could not resolve to a node with the global id of '${String(id)}'`;
    return [200, { data: { [mutation]: null }, errors: [{ type: "NOT_FOUND", path: [mutation], message }] }];
  }
  pull.draft = mutation === "convertPullRequestToDraft";
  pull.updatedAt = timestamp();
  return [200, { data: { [mutation]: { pullRequest: { isDraft: pull.draft } } } }];
}

const DRAFT_MUTATION = /\b(markPullRequestReadyForReview|convertPullRequestToDraft)\s*\(/;
const nodeId = (number: number) => Buffer.from(`011:PullRequest${number}`).toString("base64");

async function create(
  state: PullState,
  body: { title: string; body?: string; head: string; base: string; draft?: boolean },
): Promise<Reply> {
  const docs = "pulls/pulls#create-a-pull-request";
  const invalid = async (field: "head" | "base") =>
    (await state.bare.head(body[field])) === null ? [{ resource: "PullRequest", field, code: "invalid" }] : [];
  const errors = [...(await invalid("head")), ...(await invalid("base"))];
  if (errors.length > 0) return unprocessable("Validation Failed", docs, errors);
  if (state.pulls.some((p) => p.state === "open" && p.head === body.head && p.base === body.base)) {
    return unprocessable("Validation Failed", docs, [
      {
        resource: "PullRequest",
        code: "custom",
        message: `A pull request already exists for ${state.owner}:${body.head}.`,
      },
    ]);
  }
  const now = timestamp();
  const pull: StoredPull = {
    number: state.nextIssueNumber(),
    title: body.title,
    body: body.body ?? null,
    head: body.head,
    base: body.base,
    draft: body.draft ?? false,
    state: "open",
    createdAt: now,
    updatedAt: now,
  };
  state.pulls.push(pull);
  return [201, await resource(state, pull, true)];
}

/** The single-PR endpoints carry `merged`; lists do not. */
async function resource(state: PullState, pull: StoredPull, single: boolean): Promise<PullResource> {
  const branch = async (ref: string): Promise<BranchRef> => ({
    label: `${state.owner}:${ref}`,
    ref,
    sha: (await state.bare.head(ref)) ?? "0".repeat(40),
  });
  const resource: PullResource = {
    url: `${API}/repos/${state.owner}/${state.repo}/pulls/${pull.number}`,
    id: 1_000_000 + pull.number,
    node_id: nodeId(pull.number),
    html_url: `https://github.com/${state.owner}/${state.repo}/pull/${pull.number}`,
    number: pull.number,
    state: pull.state,
    locked: false,
    title: pull.title,
    user: state.bot,
    body: pull.body,
    created_at: pull.createdAt,
    updated_at: pull.updatedAt,
    closed_at: null,
    merged_at: null,
    draft: pull.draft,
    head: await branch(pull.head),
    base: await branch(pull.base),
  };
  if (single) resource.merged = false;
  return resource;
}
