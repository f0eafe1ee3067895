import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { git, GitError } from "../../src/util/git.js";
import { enableReceivePack, startGitHttpServer, type GitHttpServer } from "../helpers/git-http-server.js";

/**
 * A failed network command carries what it ran into as a type (`GitError.failure`), named from what a real
 * git says to a real smart-HTTP server: the engine matches on it instead of on the message text.
 */

const TOKEN = "ghs_giterrorstoken0000000000000000000000";
let root: string;
let server: GitHttpServer;
let work: string;
let remote: string;
const header = (token: string) => `Authorization: Basic ${Buffer.from(`x-access-token:${token}`).toString("base64")}`;

async function failureOf(run: Promise<unknown>): Promise<string> {
  const error = await run.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GitError);
  return (error as GitError).failure;
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "okstra-git-errors-"));
  const bare = path.join(root, "github", "acme", "widgets.git");
  work = path.join(root, "work");
  await git(["init", "-q", "-b", "main", work], { cwd: root });
  await writeFile(path.join(work, "a.txt"), "a\n");
  await git(["add", "a.txt"], { cwd: work });
  await git(["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "a"], { cwd: work });
  await git(["clone", "--bare", "-q", work, bare], { cwd: root });
  await enableReceivePack(bare);
  server = await startGitHttpServer({ root: path.join(root, "github"), token: TOKEN });
  remote = `${server.url}/acme/widgets.git`;
});

afterAll(async () => {
  await server?.close();
  await rm(root, { recursive: true, force: true });
});

describe("GitError.failure", () => {
  it("is `auth` when the server refuses the credential (HTTP 401)", async () => {
    expect(await failureOf(git(["ls-remote", remote], { cwd: work, extraHeader: header("ghs_wrong") }))).toBe("auth");
  });

  it("is `permission` when the credential is accepted but a push is refused (HTTP 403)", async () => {
    server.setReadOnly(true);
    try {
      expect(
        await failureOf(git(["push", remote, "main:refs/heads/other"], { cwd: work, extraHeader: header(TOKEN) })),
      ).toBe("permission");
    } finally {
      server.setReadOnly(false);
    }
  });

  it("is `other` for anything else (a repository that does not exist)", async () => {
    expect(
      await failureOf(git(["ls-remote", `${server.url}/acme/nothing.git`], { cwd: work, extraHeader: header(TOKEN) })),
    ).toBe("other");
  });

  it("the credential works when it is right (the cases above are not vacuous)", async () => {
    const { stdout } = await git(["ls-remote", remote], { cwd: work, extraHeader: header(TOKEN) });
    expect(stdout).toMatch(/refs\/heads\/main/);
  });
});
