import { afterEach, describe, expect, it } from "@jest/globals";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { git } from "../../src/util/git.js";
import { enableReceivePack, startGitHttpServer, type GitHttpServer } from "../helpers/git-http-server.js";

/** The test git server itself: real clones and pushes, and nothing without the App's Basic credential. */

const TOKEN = "ghs_gitservertesttoken00000000000000000";
const header = (token: string) => `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${token}`).toString("base64")}`;

describe("git smart-HTTP test server", () => {
  let root: string;
  let server: GitHttpServer;
  afterEach(async () => {
    await server?.close();
    await rm(root, { recursive: true, force: true });
  });

  async function serve(): Promise<string> {
    root = await mkdtemp(path.join(tmpdir(), "okstra-git-server-"));
    const author = path.join(root, "author");
    await git(["init", "-q", "-b", "main", author], { cwd: root });
    await git(["commit", "-q", "--allow-empty", "-m", "chore: start"], { cwd: author });
    const bare = path.join(root, "served", "o", "r.git");
    await git(["clone", "-q", "--bare", author, bare], { cwd: root });
    await enableReceivePack(bare);
    server = await startGitHttpServer({ root: path.join(root, "served"), token: TOKEN });
    return bare;
  }

  it("serves a clone and accepts a push that carry the installation token", async () => {
    const bare = await serve();
    const clone = path.join(root, "clone");
    await git(["clone", "-q", `${server.url}/o/r.git`, clone], { cwd: root, extraHeader: header(TOKEN) });
    await git(["commit", "-q", "--allow-empty", "-m", "feat: pushed"], { cwd: clone });
    await git(["push", "-q", "origin", "HEAD:refs/heads/okstra/1/s1"], { cwd: clone, extraHeader: header(TOKEN) });

    const pushed = (await git(["log", "-1", "--format=%s", "okstra/1/s1"], { cwd: bare })).stdout.trim();
    expect(pushed).toBe("feat: pushed");
    expect(server.requests.every((r) => r.authorized && r.status === 200)).toBe(true);
    expect(server.requests.slice(-2).map((r) => [r.method, r.path, r.service])).toEqual([
      ["GET", "/o/r.git/info/refs", "git-receive-pack"],
      ["POST", "/o/r.git/git-receive-pack", "git-receive-pack"],
    ]);
  });

  it("answers 401 with a Basic challenge to a request without the token or with another one", async () => {
    await serve();
    for (const extraHeader of [undefined, header("ghs_someoneelse000000000000000000000000")]) {
      const result = await git(["ls-remote", `${server.url}/o/r.git`], { cwd: root, extraHeader, allowFailure: true });
      expect(result.exitCode).not.toBe(0);
    }
    expect(server.requests.map((r) => [r.authorized, r.status])).toEqual([
      [false, 401],
      [false, 401],
    ]);
    const response = await fetch(`${server.url}/o/r.git/info/refs?service=git-upload-pack`);
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toMatch(/^Basic /);
  });

  it("refuses a push with 403 when the token may only read", async () => {
    const bare = await serve();
    server.setReadOnly(true);
    const clone = path.join(root, "clone");
    await git(["clone", "-q", `${server.url}/o/r.git`, clone], { cwd: root, extraHeader: header(TOKEN) });
    const push = await git(["push", "-q", "origin", "HEAD:refs/heads/okstra/1/s1"], {
      cwd: clone,
      extraHeader: header(TOKEN),
      allowFailure: true,
    });
    expect(push.stderr).toContain("403");
    expect((await git(["for-each-ref", "--format=%(refname)"], { cwd: bare })).stdout.trim()).toBe("refs/heads/main");
  });
});
