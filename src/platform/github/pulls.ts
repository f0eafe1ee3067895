import type { NewPullRequest, PullRequestInfo, PullRequestUpdate, RepoRef } from "../types.js";
import { clampTitle, MAX_BODY_CHARS, truncateWithNotice } from "./check-limits.js";
import type { GitHubClient } from "./client.js";
import { hasStatus } from "./errors.js";
import { paginate } from "./paginate.js";

/** Pull requests: REST for everything except the draft flag, which only GraphQL can change. */

interface RestPull {
  number: number;
  node_id: string;
  title: string;
  body: string | null;
  head: { ref: string };
  base: { ref: string };
  draft?: boolean;
  state: string;
  /** Only the single-PR endpoint has `merged`; lists carry `merged_at`. */
  merged?: boolean;
  merged_at: string | null;
  html_url: string;
}

export function toPullRequestInfo(pull: RestPull): PullRequestInfo {
  return {
    number: pull.number,
    title: pull.title,
    body: pull.body ?? "",
    head: pull.head.ref,
    base: pull.base.ref,
    draft: pull.draft ?? false,
    state: pull.state === "open" ? "open" : "closed",
    merged: pull.merged ?? pull.merged_at !== null,
    url: pull.html_url,
  };
}

async function fetchRestPull(client: GitHubClient, repo: RepoRef, number: number): Promise<RestPull> {
  const { data } = await client.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", {
    ...repo,
    pull_number: number,
  });
  return data;
}

export async function fetchPull(client: GitHubClient, repo: RepoRef, number: number): Promise<PullRequestInfo> {
  return toPullRequestInfo(await fetchRestPull(client, repo, number));
}

/** `head` must be qualified as `owner:branch`; an unqualified one is ignored by GitHub and would list every PR. */
export async function findOpenPullByHead(
  client: GitHubClient,
  repo: RepoRef,
  head: string,
): Promise<PullRequestInfo | null> {
  const pulls = await paginate<RestPull>(client, "GET /repos/{owner}/{repo}/pulls", {
    ...repo,
    state: "open",
    head: `${repo.owner}:${head}`,
  });
  // Filter again: a fork's branch of the same name must never be mistaken for ours.
  const match = pulls.find((pull) => pull.head.ref === head);
  return match ? toPullRequestInfo(match) : null;
}

export async function listOpenPulls(
  client: GitHubClient,
  repo: RepoRef,
  filter: { base?: string },
): Promise<PullRequestInfo[]> {
  const params = filter.base === undefined ? { ...repo, state: "open" } : { ...repo, state: "open", base: filter.base };
  const pulls = await paginate<RestPull>(client, "GET /repos/{owner}/{repo}/pulls", params);
  return pulls.map(toPullRequestInfo);
}

/**
 * Repositories that answered "Draft pull requests are not supported in this
 * repository" (a private repository on a plan without drafts), by API
 * address. Remembered for the life of the process, so each repository costs
 * one refused request, not one per stage PR.
 */
const withoutDrafts = new Set<string>();

function repositoryKey(client: GitHubClient, repo: RepoRef): string {
  const base = (client.request as { endpoint?: { DEFAULTS?: { baseUrl?: string } } }).endpoint?.DEFAULTS?.baseUrl ?? "";
  return `${base}/${repo.owner}/${repo.repo}`.toLowerCase();
}

function draftsUnsupported(error: unknown): boolean {
  if (!hasStatus(error, 422)) return false;
  const data = (error as { response?: { data?: { message?: string; errors?: Array<{ message?: string } | string> } } })
    .response?.data;
  const messages = [data?.message, ...(data?.errors ?? []).map((e) => (typeof e === "string" ? e : e.message))];
  return messages.some((m) => typeof m === "string" && /draft pull requests are not supported/i.test(m));
}

/**
 * Opens a pull request; asked for a draft where the repository has none, it
 * opens it ready for review instead (the returned `draft: false` tells the
 * caller, who says so on the PR).
 */
export async function postPull(client: GitHubClient, repo: RepoRef, pr: NewPullRequest): Promise<PullRequestInfo> {
  const key = repositoryKey(client, repo);
  const open = async (draft: boolean) =>
    client.request("POST /repos/{owner}/{repo}/pulls", {
      ...repo,
      title: clampTitle(pr.title),
      body: truncateWithNotice(pr.body, MAX_BODY_CHARS),
      head: pr.head,
      base: pr.base,
      draft,
    });
  const asDraft = pr.draft && !withoutDrafts.has(key);
  try {
    return toPullRequestInfo((await open(asDraft)).data);
  } catch (error) {
    if (!asDraft || !draftsUnsupported(error)) throw error;
    withoutDrafts.add(key);
    return toPullRequestInfo((await open(false)).data);
  }
}

export async function patchPull(
  client: GitHubClient,
  repo: RepoRef,
  number: number,
  update: PullRequestUpdate,
): Promise<void> {
  const fitted = {
    ...update,
    title: update.title === undefined ? undefined : clampTitle(update.title),
    body: update.body === undefined ? undefined : truncateWithNotice(update.body, MAX_BODY_CHARS),
  };
  await client.request("PATCH /repos/{owner}/{repo}/pulls/{pull_number}", {
    ...repo,
    pull_number: number,
    ...definedOnly(fitted),
  });
}

const READY_FOR_REVIEW = `mutation($id: ID!) { markPullRequestReadyForReview(input: { pullRequestId: $id }) { pullRequest { isDraft } } }`;
const CONVERT_TO_DRAFT = `mutation($id: ID!) { convertPullRequestToDraft(input: { pullRequestId: $id }) { pullRequest { isDraft } } }`;

/**
 * REST's `PATCH pulls/{n}` silently ignores `draft`, so the flag goes through
 * GraphQL with the PR's node id. A PR already in the asked state gets no
 * mutation, so repeating the call is free and adds no timeline event.
 */
export async function setPullDraft(client: GitHubClient, repo: RepoRef, number: number, draft: boolean): Promise<void> {
  // A repository without drafts has only ready PRs: converting one would be refused.
  if (draft && withoutDrafts.has(repositoryKey(client, repo))) return;
  const pull = await fetchRestPull(client, repo, number);
  if ((pull.draft ?? false) === draft) return;
  await client.graphql(draft ? CONVERT_TO_DRAFT : READY_FOR_REVIEW, { id: pull.node_id });
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
