import type { NativeStack, RepoRef, StackPort } from "../types.js";
import type { GitHubClient } from "./client.js";
import { hasStatus } from "./errors.js";

/**
 * GitHub's Stacks REST API (SPEC §15.5; `pull-request-stacks/*` in
 * @octokit/openapi, which @octokit/rest has no methods for yet). A
 * repository without the feature answers the list with 404: "unavailable".
 */

type StackBody = {
  number: number;
  pull_requests: Array<{ number: number; state: "open" | "closed"; merged_at?: string | null }>;
};

function toStack(body: StackBody): NativeStack {
  return {
    number: body.number,
    pulls: body.pull_requests.map((pr) => ({ number: pr.number, open: pr.state === "open" })),
  };
}

export function githubStacks(client: GitHubClient, repo: RepoRef): StackPort {
  return {
    supported: true,
    async list() {
      try {
        // A repository has few stacks; one page of 100 covers okstra's tasks.
        const { data } = await client.request("GET /repos/{owner}/{repo}/stacks", { ...repo, per_page: 100 });
        return (data as StackBody[]).map(toStack);
      } catch (error) {
        if (hasStatus(error, 404)) return "unavailable";
        throw error;
      }
    },
    async create(pulls) {
      const { data } = await client.request("POST /repos/{owner}/{repo}/stacks", {
        ...repo,
        pull_requests: [...pulls],
      });
      return toStack(data as StackBody);
    },
    async add(stack, pulls) {
      const { data } = await client.request("POST /repos/{owner}/{repo}/stacks/{stack_number}/add", {
        ...repo,
        stack_number: stack,
        pull_requests: [...pulls],
      });
      return toStack(data as StackBody);
    },
    async unstack(stack) {
      await client.request("POST /repos/{owner}/{repo}/stacks/{stack_number}/unstack", {
        ...repo,
        stack_number: stack,
      });
    },
  };
}
