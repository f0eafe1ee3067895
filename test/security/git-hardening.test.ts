import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { git } from "../../src/util/git.js";
import { pushFromTrustedRepository } from "../../src/workspace/trusted-push.js";
import { enableReceivePack, startGitHttpServer, type GitHttpServer } from "../helpers/git-http-server.js";
import { processesMatching } from "./planted.js";

/** SPEC §14.2–14.3: okstra's own git cannot be hijacked from a repository, keeps the token off command lines, and ends at its deadline. */

const TOKEN = `ghs_okstraplantedpushtoken${"0".repeat(12)}`;
const BASIC = Buffer.from(`x-access-token:${TOKEN}`).toString("base64");

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "okstra-git-hardening-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function repoWithCommit(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  await git(["init", "-q", "-b", "main"], { cwd: dir });
  await writeFile(path.join(dir, "a.txt"), "one\n");
  await git(["add", "a.txt"], { cwd: dir });
  await git(["commit", "-q", "-m", "feat: one"], { cwd: dir });
  return (await git(["rev-parse", "HEAD"], { cwd: dir })).stdout.trim();
}

describe("a process scan during a push", () => {
  let server: GitHttpServer;
  afterAll(async () => server?.close());

  it("finds the token on no command line, while seeing the push's own git processes", async () => {
    const serverRoot = path.join(root, "served");
    await mkdir(serverRoot, { recursive: true });
    await git(["init", "-q", "--bare", path.join(serverRoot, "target.git")], { cwd: serverRoot });
    await enableReceivePack(path.join(serverRoot, "target.git"));
    server = await startGitHttpServer({ root: serverRoot, token: TOKEN });
    const source = path.join(root, "source");
    const commit = await repoWithCommit(source);

    const seenGit: string[] = [];
    const withToken: string[] = [];
    let scanning = true;
    const scan = (async () => {
      while (scanning) {
        for (const { cmdline } of await processesMatching("git")) {
          seenGit.push(cmdline);
          if (cmdline.includes(TOKEN) || cmdline.includes(BASIC) || /extraheader/i.test(cmdline))
            withToken.push(cmdline);
        }
      }
    })();
    const remote = { url: `${server.url}/target.git`, extraHeader: `AUTHORIZATION: basic ${BASIC}` };
    // At least eight pushes, and more (bounded) until the scan has caught one in flight: a quick push on an idle
    // machine can come and go between two scans, and a scan that saw nothing would prove nothing.
    const sawPush = () => seenGit.some((c) => c.includes("push") || c.includes("remote-http"));
    for (let i = 0; i < 8 || (!sawPush() && i < 80); i++) {
      const branch = `okstra/stage-${i}`;
      const pushed = await pushFromTrustedRepository({
        remote,
        branch,
        commit,
        expectedRemoteHead: null,
        objectDirectories: [path.join(source, ".git", "objects")],
        scratchDir: root,
      });
      expect(pushed).toMatchObject({ branch, commit, updated: true });
    }
    scanning = false;
    await scan;

    expect(
      server.requests.filter((r) => r.service === "git-receive-pack" && r.authorized).length,
    ).toBeGreaterThanOrEqual(8);
    expect(seenGit.some((c) => c.includes("push") || c.includes("remote-http"))).toBe(true);
    expect(withToken).toEqual([]);
  });
});

describe("a fetch from a loopback server that accepts and never answers", () => {
  it("ends at its deadline with no process left", async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket)); // accepts, reads nothing, answers nothing
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", () => resolve()));
    const port = (silent.address() as { port: number }).port;
    const repo = path.join(root, "fetcher");
    await repoWithCommit(repo);
    const started = Date.now();
    const result = await git(["fetch", `http://127.0.0.1:${port}/never.git`, "main"], {
      cwd: repo,
      timeoutMs: 3_000,
      allowFailure: true,
      extraHeader: `AUTHORIZATION: basic ${BASIC}`,
    });
    const elapsed = Date.now() - started;
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain("killed at its 3 s deadline");
    expect(elapsed).toBeGreaterThanOrEqual(3_000);
    expect(sockets.length).toBeGreaterThan(0); // it did connect: the hang was the server's
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await processesMatching(`127.0.0.1:${port}`)).toEqual([]);
    for (const socket of sockets) socket.destroy();
    silent.close();
  });
});

describe("a repository planted with hooks, fsmonitor, filters and a textconv", () => {
  it("runs none of them for okstra's git, though plain git runs them", async () => {
    const repo = path.join(root, "planted");
    const markers = path.join(root, "markers");
    await mkdir(markers, { recursive: true });
    await repoWithCommit(repo);
    const script = (name: string) => {
      const file = path.join(repo, `${name}.sh`);
      return writeFile(file, `#!/bin/sh\ntouch ${markers}/${name}\ncat\n`).then(() => chmodSync(file, 0o755));
    };
    for (const name of ["fsmonitor", "clean", "smudge", "textconv", "external"]) await script(name);
    for (const hook of ["post-checkout", "reference-transaction", "pre-commit", "post-commit", "post-index-change"]) {
      const file = path.join(repo, ".git", "hooks", hook);
      await writeFile(file, `#!/bin/sh\ntouch ${markers}/hook-${hook}\n`);
      chmodSync(file, 0o755);
    }
    const config = (key: string, value: string) => execFileSync("git", ["config", key, value], { cwd: repo });
    config("core.fsmonitor", path.join(repo, "fsmonitor.sh"));
    config("filter.evil.clean", path.join(repo, "clean.sh"));
    config("filter.evil.smudge", path.join(repo, "smudge.sh"));
    config("filter.evil.required", "true");
    config("diff.evil.textconv", path.join(repo, "textconv.sh"));
    config("diff.external", path.join(repo, "external.sh"));
    await writeFile(path.join(repo, ".gitattributes"), "*.txt filter=evil diff=evil\n");

    await writeFile(path.join(repo, "a.txt"), "two\n");
    await git(["status", "--porcelain"], { cwd: repo });
    await git(["add", "-A"], { cwd: repo });
    await git(["commit", "-q", "-m", "feat: two"], { cwd: repo });
    await git(["checkout", "-q", "-b", "other"], { cwd: repo });
    await git(["checkout", "-q", "--force", "main"], { cwd: repo });
    await git(["diff", "HEAD~1", "HEAD"], { cwd: repo });
    await git(["log", "-p", "-1"], { cwd: repo });
    expect(await readdir(markers)).toEqual([]);

    // The control: the same repository makes plain git run what was planted.
    execFileSync("git", ["checkout", "-q", "other"], { cwd: repo });
    execFileSync("git", ["diff", "HEAD~1", "HEAD"], { cwd: repo });
    expect(existsSync(path.join(markers, "hook-post-checkout"))).toBe(true);
    expect((await readdir(markers)).length).toBeGreaterThan(1);
  });
});

describe("a per-command header", () => {
  it("goes with that one command only: the next command in the same repository carries its own, not the ones before", async () => {
    const dir = path.join(root, "headers");
    await git(["init", "-q", "--bare", dir], { cwd: root });
    const headers = async (extraHeader?: string) =>
      (await git(["config", "--get-all", "http.extraheader"], { cwd: dir, extraHeader, allowFailure: true })).stdout
        .trim()
        .split("\n")
        .filter(Boolean);
    expect(await headers("AUTHORIZATION: basic OLD")).toEqual(["AUTHORIZATION: basic OLD"]);
    expect(await headers("AUTHORIZATION: basic NEW")).toEqual(["AUTHORIZATION: basic NEW"]);
    expect(await headers()).toEqual([]);
  });
});
