import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { randomBytes } from "node:crypto";
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { git } from "../../src/util/git.js";
import { createGitHubSide, INSTALLATION_TOKEN, OWNER, REPO, type GitHubSide } from "./e2e-harness.js";
import { serveFakeGitHub, type ServedGitHub } from "./serve-fake-github.js";

/** The fake GitHub and the git server on one port, as a GitHub Enterprise host: what another process sees. */

const basic = `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${INSTALLATION_TOKEN}`).toString("base64")}`;

describe("the fake GitHub served over HTTP", () => {
  let side: GitHubSide;
  let served: ServedGitHub;
  beforeAll(async () => {
    side = await createGitHubSide();
    served = await serveFakeGitHub(side.github, side.server.url);
  }, 30_000);
  afterAll(async () => {
    await served?.close();
    await side?.server.close();
    await rm(side.root, { recursive: true, force: true });
  });

  const api = (method: string, apiPath: string, body?: unknown) =>
    fetch(`${served.url}${apiPath}`, {
      method,
      headers: { authorization: `token ${INSTALLATION_TOKEN}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it("answers /api/v3 from the fake's REST routes and records the request under its route", async () => {
    const response = await api("GET", `/api/v3/repos/${OWNER}/${REPO}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await response.json()).toMatchObject({ full_name: `${OWNER}/${REPO}`, default_branch: "main" });
    expect(side.github.requests.at(-1)).toMatchObject({
      route: "GET /repos/{owner}/{repo}",
      path: `/repos/${OWNER}/${REPO}`,
      authorized: true,
      status: 200,
    });

    const raw = await fetch(`${served.url}/api/v3/repos/${OWNER}/${REPO}/contents/.github%2Fokstra.yml?ref=main`, {
      headers: { authorization: `token ${INSTALLATION_TOKEN}`, accept: "application/vnd.github.raw+json" },
    });
    expect(raw.headers.get("content-type")).toMatch(/^application\/vnd\.github\.raw/);
    expect(await raw.text()).toContain("minimumPermission: write");
  });

  it("answers /api/graphql from the GraphQL route", async () => {
    const head = await side.bare.head("main");
    const response = await api("POST", "/api/graphql", {
      query: "mutation($input: CreateCommitOnBranchInput!) { createCommitOnBranch(input: $input) { commit { oid } } }",
      variables: {
        input: {
          branch: { repositoryNameWithOwner: `${OWNER}/${REPO}`, branchName: "main" },
          expectedHeadOid: "0".repeat(40),
          message: { headline: "x" },
        },
      },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      data: { createCommitOnBranch: null },
      errors: [{ type: "STALE_DATA" }],
    });
    expect(await side.bare.head("main")).toBe(head);
  });

  it("refuses a request without the installation token with 401, as the nock fake does", async () => {
    const response = await fetch(`${served.url}/api/v3/repos/${OWNER}/${REPO}`);
    expect(response.status).toBe(401);
    expect(side.github.requests.at(-1)).toMatchObject({ authorized: false, status: 401 });
  });

  it("answers a request the fake does not model with GitHub's 404 and keeps it in `unmatched`", async () => {
    const response = await api("POST", `/api/v3/repos/${OWNER}/${REPO}/issues/1/labels`, { labels: ["okstra"] });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      message: "Not Found",
      documentation_url: "https://docs.github.com/rest",
      status: "404",
    });
    const labels = `/api/v3/repos/${OWNER}/${REPO}/issues/1/labels`;
    expect(served.unmatched).toEqual([{ method: "POST", path: labels, body: { labels: ["okstra"] } }]);
  });

  it("proxies git on the same port: a clone, and a push large enough to be sent chunked", async () => {
    const clone = path.join(side.root, "proxied-clone");
    await git(["clone", "-q", `${served.url}/${OWNER}/${REPO}.git`, clone], { cwd: side.root, extraHeader: basic });
    await writeFile(path.join(clone, "noise.bin"), randomBytes(256 * 1024).toString("base64"));
    await git(["add", "noise.bin"], { cwd: clone });
    await git(["commit", "-q", "-m", "chore: noise"], { cwd: clone });
    // Above http.postBuffer git streams the pack with Transfer-Encoding: chunked.
    await git(["-c", "http.postBuffer=4096", "push", "-q", "origin", "HEAD:refs/heads/proxied"], {
      cwd: clone,
      extraHeader: basic,
    });

    expect(await side.bare.head("proxied")).toBe((await git(["rev-parse", "HEAD"], { cwd: clone })).stdout.trim());
    // Before a chunked pack git probes the endpoint with a small POST (`probe_rpc`), so two POSTs.
    expect(
      side.server.requests.filter((r) => r.service === "git-receive-pack").map((r) => [r.method, r.path, r.status]),
    ).toEqual([
      ["GET", `/${OWNER}/${REPO}.git/info/refs`, 200],
      ["POST", `/${OWNER}/${REPO}.git/git-receive-pack`, 200],
      ["POST", `/${OWNER}/${REPO}.git/git-receive-pack`, 200],
    ]);
  });
});
