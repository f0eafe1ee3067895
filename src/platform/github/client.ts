import type { Octokit } from "@octokit/rest";

/**
 * The slice of Octokit that okstra's GitHub adapters use. Probot's per-event
 * `context.octokit`, `app.auth(installationId)` and a plain `new Octokit()` in
 * tests all satisfy it. Only `request` and `graphql`, so every call names its
 * documented route and the tests mock exactly that route.
 */
export type GitHubClient = Pick<Octokit, "request" | "graphql">;
