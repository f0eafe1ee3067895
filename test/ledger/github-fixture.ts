import { Octokit } from "@octokit/rest";
import type nock from "nock";
import { gitBlobSha } from "../../src/ledger/object-cache.js";
import type { GitHubClient } from "../../src/platform/github/client.js";
import { httpMock } from "../helpers/http-mock.js";

/**
 * GitHub's documented answers for the routes the ledger uses, for nock.
 * Blob ids are real git blob SHAs of the contents, as GitHub would give.
 */

export const REPO = { owner: "acme", repo: "widgets" };
export const API_REPO = "/repos/acme/widgets";
/** Octokit encodes the `{ref}` parameter, slashes included. */
export const REF_PATH = `${API_REPO}/git/ref/heads/okstra/ledger`;

export function client(): GitHubClient {
  // Octokit logs every 4xx through console.error; the tests assert those outcomes themselves.
  const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
  return new Octokit({ auth: "ghs_test", log: quiet });
}

export function refBody(sha: string): Record<string, unknown> {
  return {
    ref: "refs/heads/okstra/ledger",
    node_id: "REF_kwDOledger",
    url: `https://api.github.com${API_REPO}/git/refs/heads/okstra/ledger`,
    object: { type: "commit", sha, url: `https://api.github.com${API_REPO}/git/commits/${sha}` },
  };
}

/** `GET git/trees/{commit}?recursive=1`: directories as `tree` entries, files as `blob` entries. */
export function treeBody(treeSha: string, files: Record<string, string>): Record<string, unknown> {
  const dirs = new Set<string>();
  for (const path of Object.keys(files)) {
    const parts = path.split("/");
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join("/"));
  }
  const entries = [
    ...[...dirs].map((path) => ({
      path,
      mode: "040000",
      type: "tree",
      sha: gitBlobSha(`tree:${path}`),
      url: "https://api.github.com/x",
    })),
    ...Object.entries(files).map(([path, text]) => ({
      path,
      mode: "100644",
      type: "blob",
      sha: gitBlobSha(text),
      size: Buffer.byteLength(text),
      url: "https://api.github.com/x",
    })),
  ].sort((a, b) => a.path.localeCompare(b.path));
  return {
    sha: treeSha,
    url: `https://api.github.com${API_REPO}/git/trees/${treeSha}`,
    tree: entries,
    truncated: false,
  };
}

/** `GET git/blobs/{sha}`: base64 wrapped at 60 characters, as GitHub sends it. */
export function blobBody(text: string): Record<string, unknown> {
  const base64 = Buffer.from(text, "utf8").toString("base64");
  const wrapped = base64.match(/.{1,60}/g)?.join("\n") ?? "";
  return {
    sha: gitBlobSha(text),
    node_id: "B_x",
    size: Buffer.byteLength(text),
    url: "https://api.github.com/x",
    content: `${wrapped}\n`,
    encoding: "base64",
  };
}

/** Mocks the reads of a cold cache for one commit: its tree, then each named file's blob. */
export function mockCommitReads(
  scope: nock.Scope,
  commit: string,
  treeSha: string,
  files: Record<string, string>,
  read: string[],
): void {
  scope.get(`${API_REPO}/git/trees/${commit}`).query({ recursive: "1" }).reply(200, treeBody(treeSha, files));
  for (const path of read)
    scope.get(`${API_REPO}/git/blobs/${gitBlobSha(files[path]!)}`).reply(200, blobBody(files[path]!));
}

export function staleHead(expected: string): Record<string, unknown> {
  return {
    data: { createCommitOnBranch: null },
    errors: [
      {
        type: "STALE_DATA",
        path: ["createCommitOnBranch"],
        locations: [{ line: 2, column: 9 }],
        message: `Expected branch to point to "${expected}" but it did not. Pull and try again.`,
      },
    ],
  };
}

export function commitCreated(oid: string, treeOid: string): Record<string, unknown> {
  return { data: { createCommitOnBranch: { commit: { oid, tree: { oid: treeOid } } } } };
}

export interface GraphqlCommitInput {
  branch: { repositoryNameWithOwner: string; branchName: string };
  expectedHeadOid: string;
  message: { headline: string; body: string };
  fileChanges: { additions: Array<{ path: string; contents: string }>; deletions: Array<{ path: string }> };
}

/** Records what each `createCommitOnBranch` request asked for, decoded. */
export function recordGraphqlInputs(into: GraphqlCommitInput[]): (body: unknown) => boolean {
  return (body) => {
    const input = (body as { variables?: { input?: GraphqlCommitInput } }).variables?.input;
    if (!input) return false;
    into.push(input);
    return true;
  };
}

export function decodedAddition(input: GraphqlCommitInput, path: string): string | undefined {
  const addition = input.fileChanges.additions.find((a) => a.path === path);
  return addition ? Buffer.from(addition.contents, "base64").toString("utf8") : undefined;
}

/** A nock body matcher that accepts any body and keeps it for the assertions. */
export function recordBodies(into: unknown[]): (body: Record<string, unknown>) => boolean {
  return (body) => {
    into.push(body);
    return true;
  };
}

export function countRequests(scope: nock.Scope): { count: number } {
  const counter = { count: 0 };
  scope.on("request", () => counter.count++);
  return counter;
}

export { httpMock };
