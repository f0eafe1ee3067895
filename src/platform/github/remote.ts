import type { GitRemote, RepoRef } from "../types.js";

/**
 * The clone URL and a per-command header carrying an installation token, the
 * way actions/checkout authenticates. The token never enters the URL, so it
 * cannot end up in `.git/config`, a reflog message or an error string.
 */
export function buildGitRemote(serverUrl: string, repo: RepoRef, token: string): GitRemote {
  const basic = Buffer.from(`x-access-token:${token}`, "utf8").toString("base64");
  return {
    url: `${serverUrl.replace(/\/+$/, "")}/${repo.owner}/${repo.repo}.git`,
    extraHeader: `AUTHORIZATION: basic ${basic}`,
  };
}
