import type { StoredPull } from "./fake-pull-routes.js";
import {
  API,
  notFound,
  repoPath,
  timestamp,
  unprocessable,
  type Reply,
  type Route,
  type Schemas,
} from "./fake-routes.js";

/**
 * GitHub's Stacks API (`pull-request-stacks/*`), with the rules its
 * documentation states: a stack is PRs bottom to top, each based on the
 * previous one's head; `add` appends on top of the current top; `unstack`
 * removes the open PRs and dissolves the stack (204) when none is left. A
 * repository without the feature (`available: false`) answers the list 404.
 */

export interface StoredStack {
  number: number;
  pulls: number[];
  createdAt: string;
}

export interface StackState {
  owner: string;
  repo: string;
  pulls: StoredPull[];
  stacks: StoredStack[];
  available: boolean;
}

type Minimal = Schemas["pull-request-stack-minimal"];

export function stackRoutes(state: StackState): Route[] {
  const path = (rest: string) => repoPath(state.owner, state.repo, rest);
  const find = (number: string) => state.stacks.find((s) => s.number === Number(number));
  const docs = (op: string) => `pulls/stacks#${op}`;
  return [
    {
      method: "GET",
      name: "GET /repos/{owner}/{repo}/stacks",
      path: path("/stacks"),
      handle: () =>
        state.available
          ? [200, state.stacks.map((s) => minimal(state, s))]
          : notFound(docs("list-pull-request-stacks")),
    },
    {
      method: "POST",
      name: "POST /repos/{owner}/{repo}/stacks",
      path: path("/stacks"),
      handle: ({ body }) => {
        if (!state.available) return notFound(docs("create-a-pull-request-stack"));
        const numbers = (body as { pull_requests: number[] }).pull_requests;
        const problem = chainProblem(state, numbers, null);
        if (problem) return unprocessable(problem, docs("create-a-pull-request-stack"));
        const stack: StoredStack = {
          number: state.stacks.reduce((n, s) => Math.max(n, s.number), 0) + 1,
          pulls: [...numbers],
          createdAt: timestamp(),
        };
        state.stacks.push(stack);
        return [201, full(state, stack)];
      },
    },
    {
      method: "POST",
      name: "POST /repos/{owner}/{repo}/stacks/{stack_number}/add",
      path: path("/stacks/(\\d+)/add"),
      handle: ({ params, body }) => {
        const stack = find(params[0]!);
        if (!stack) return notFound(docs("add-pull-requests-to-a-pull-request-stack"));
        const numbers = (body as { pull_requests: number[] }).pull_requests;
        const problem = chainProblem(state, numbers, stack.pulls.at(-1) ?? null);
        if (problem) return unprocessable(problem, docs("add-pull-requests-to-a-pull-request-stack"));
        stack.pulls.push(...numbers);
        return [200, full(state, stack)];
      },
    },
    {
      method: "POST",
      name: "POST /repos/{owner}/{repo}/stacks/{stack_number}/unstack",
      path: path("/stacks/(\\d+)/unstack"),
      handle: ({ params }): Reply => {
        const stack = find(params[0]!);
        if (!stack) return notFound(docs("remove-pull-requests-from-a-pull-request-stack"));
        stack.pulls = stack.pulls.filter((n) => state.pulls.find((p) => p.number === n)?.state !== "open");
        if (stack.pulls.length > 0) return [200, full(state, stack)];
        state.stacks.splice(state.stacks.indexOf(stack), 1);
        return [204, ""];
      },
    },
  ];
}

/** Why `numbers` (on top of `below`) is not a stack: an unknown PR, or one not based on the previous one's head. */
function chainProblem(state: StackState, numbers: readonly number[], below: number | null): string | null {
  let previous = below === null ? undefined : state.pulls.find((p) => p.number === below);
  for (const number of numbers) {
    const pull = state.pulls.find((p) => p.number === number);
    if (!pull) return `Pull request #${number} does not exist`;
    if (previous && pull.base !== previous.head)
      return `Pull request #${number} is not based on #${previous.number}'s head`;
    previous = pull;
  }
  return null;
}

function minimal(state: StackState, stack: StoredStack): Minimal {
  const pulls = stack.pulls.map((n) => state.pulls.find((p) => p.number === n)!);
  return {
    id: 7_000_000 + stack.number,
    number: stack.number,
    node_id: Buffer.from(`stack:${stack.number}`).toString("base64"),
    url: `${API}/repos/${state.owner}/${state.repo}/stacks/${stack.number}`,
    base: { ref: pulls[0]?.base ?? "main" },
    open: pulls.some((p) => p.state === "open"),
    created_at: stack.createdAt,
    pull_requests: pulls.map((p) => ({
      number: p.number,
      state: p.state,
      draft: p.draft,
      merged_at: null,
      head: { ref: p.head, sha: "0".repeat(40) },
    })),
  };
}

/** The single-stack form (create, add, unstack): each PR as `pull-request-stack-pull-request`. */
function full(state: StackState, stack: StoredStack) {
  const repo = { id: 1_296_269, url: `${API}/repos/${state.owner}/${state.repo}`, name: state.repo };
  const { pull_requests: _listed, ...rest } = minimal(state, stack);
  const pulls = stack.pulls.map((n) => state.pulls.find((p) => p.number === n)!);
  return {
    ...rest,
    pull_requests: pulls.map((p) => ({
      id: 1_000_000 + p.number,
      number: p.number,
      url: `${API}/repos/${state.owner}/${state.repo}/pulls/${p.number}`,
      head: { ref: p.head, sha: "0".repeat(40), repo },
      base: { ref: p.base, sha: "0".repeat(40), repo },
      node_id: Buffer.from(`pr:${p.number}`).toString("base64"),
      title: p.title,
      state: p.state,
      merged_at: null,
      draft: p.draft,
      html_url: `https://github.com/${state.owner}/${state.repo}/pull/${p.number}`,
      user: null,
    })),
  };
}
