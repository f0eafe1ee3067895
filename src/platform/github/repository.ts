import { PERMISSION_LEVELS, type Permission, type RepoRef } from "../types.js";
import type { GitHubClient } from "./client.js";
import { encodePathSegments, hasStatus, nullOn404 } from "./errors.js";

/** Repository-level reads: default branch, file contents, permissions, branch heads. */

export async function fetchDefaultBranch(client: GitHubClient, repo: RepoRef): Promise<string> {
  const { data } = await client.request("GET /repos/{owner}/{repo}", { ...repo });
  return data.default_branch;
}

/**
 * A file's text at a ref. The raw media type returns the bytes themselves
 * (files up to 100 MB); a directory, submodule or missing path is null.
 * The path is encoded per segment so the slashes stay literal, the form
 * GitHub documents and every GitHub Enterprise version accepts.
 */
export async function fetchFile(
  client: GitHubClient,
  repo: RepoRef,
  path: string,
  ref: string,
): Promise<string | null> {
  const response = await nullOn404(() =>
    client.request(`GET /repos/{owner}/{repo}/contents/${encodePathSegments(path.replace(/^\/+/, ""))}`, {
      ...repo,
      ref,
      headers: { accept: "application/vnd.github.raw+json" },
    }),
  );
  if (response === null) return null;
  return decodeContent(response.data);
}

/** The raw media type usually arrives as text; a server that ignores it sends the JSON object with base64 content. */
function decodeContent(data: unknown): string | null {
  if (typeof data === "string") return data;
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString("utf8");
  if (Array.isArray(data) || typeof data !== "object" || data === null) return null;
  const file = data as { type?: string; content?: string; encoding?: string };
  if (file.type !== "file" || typeof file.content !== "string") return null;
  return file.encoding === "base64" ? Buffer.from(file.content, "base64").toString("utf8") : file.content;
}

/**
 * The live permission of a login. `role_name` carries the fine-grained role
 * (maintain, triage); `permission` is the legacy admin/write/read/none that a
 * custom role also maps to. A login that is not a collaborator is a 404.
 */
export async function fetchPermission(client: GitHubClient, repo: RepoRef, login: string): Promise<Permission> {
  try {
    const { data } = await client.request("GET /repos/{owner}/{repo}/collaborators/{username}/permission", {
      ...repo,
      username: login,
    });
    return asPermission(data.role_name) ?? asPermission(data.permission) ?? "none";
  } catch (error) {
    if (hasStatus(error, 404)) return "none";
    throw error;
  }
}

function asPermission(value: string | undefined | null): Permission | null {
  return (PERMISSION_LEVELS as readonly string[]).includes(value ?? "") ? (value as Permission) : null;
}

/** `GET git/ref/heads/<branch>` matches the branch exactly (unlike the old `git/refs` prefix match). */
export async function fetchBranchHead(client: GitHubClient, repo: RepoRef, branch: string): Promise<string | null> {
  const response = await nullOn404(() =>
    client.request(`GET /repos/{owner}/{repo}/git/ref/heads/${encodePathSegments(branch)}`, { ...repo }),
  );
  if (response === null) return null;
  return (response.data as { object: { sha: string } }).object.sha;
}

/** `POST git/refs` creates only: GitHub answers 422 "Reference already exists" rather than moving a branch. */
export async function postBranch(client: GitHubClient, repo: RepoRef, branch: string, commit: string): Promise<void> {
  await client.request("POST /repos/{owner}/{repo}/git/refs", { ...repo, ref: `refs/heads/${branch}`, sha: commit });
}
