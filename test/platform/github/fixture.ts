import { Octokit } from "@octokit/rest";
import { createGitHubPlatform } from "../../../src/platform/github/index.js";
import type { Platform } from "../../../src/platform/types.js";

export const REPO = { owner: "acme", repo: "widgets" };
export const API_REPO = "/repos/acme/widgets";

/** A GitHub platform over a plain Octokit, whose global `fetch` nock intercepts. */
export function githubPlatform(options: { token?: string; serverUrl?: string } = {}): Platform {
  // Octokit logs every 4xx through console.error; the tests assert those outcomes themselves.
  const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
  const client = new Octokit({ auth: "ghs_test", log: quiet });
  return createGitHubPlatform(client, REPO, {
    installationToken: async () => options.token ?? "ghs_installation",
    ...(options.serverUrl ? { serverUrl: options.serverUrl } : {}),
  });
}

/** The REST shape of a pull request, trimmed to the fields GitHub always sends and the adapter reads. */
export function restPull(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    number: 101,
    node_id: "PR_kwDOA1",
    title: "Stage 1: Parse CSV (#12)",
    body: "body",
    head: { ref: "okstra/12/s1", sha: "a".repeat(40), label: "acme:okstra/12/s1" },
    base: { ref: "main", sha: "b".repeat(40), label: "acme:main" },
    draft: true,
    state: "open",
    merged_at: null,
    html_url: "https://github.com/acme/widgets/pull/101",
    ...overrides,
  };
}

export function restComment(id: number, body: string, login = "alice"): Record<string, unknown> {
  return {
    id,
    node_id: `IC_${id}`,
    user: { login, type: "User" },
    body,
    created_at: "2024-05-01T10:00:00Z",
    updated_at: "2024-05-01T10:00:00Z",
    html_url: `https://github.com/acme/widgets/issues/12#issuecomment-${id}`,
  };
}
