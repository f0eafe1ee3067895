import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { simpleGit } from "simple-git";
import { git } from "../../src/util/git.js";
import { processesMatching } from "../security/planted.js";

/*
 * Why okstra keeps its own git wrapper (src/util/git.ts) instead of simple-git, which SPEC names
 * (docs/architecture.md): SPEC §14 needs a network command killed with everything it started at its
 * deadline. simple-git's `timeout` is an inactivity timer that sends SIGINT to `git` alone, and its
 * `spawnOptions` pass only uid/gid (no `detached`, so no process group to kill): the remote helper of a
 * fetch outlives it. The same fetch through okstra's wrapper leaves nothing.
 */

let root: string;
let repo: string;
let silent: Server;
let port: number;
const sockets: Socket[] = [];

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "okstra-simple-git-"));
  repo = path.join(root, "repo");
  await git(["init", "-q", "-b", "main", repo], { cwd: root });
  await writeFile(path.join(repo, "a.txt"), "a\n");
  await git(["add", "a.txt"], { cwd: repo });
  await git(["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "one"], { cwd: repo });
  silent = createServer((socket) => sockets.push(socket)); // accepts, reads nothing, answers nothing
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", () => resolve()));
  port = (silent.address() as { port: number }).port;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  silent.close();
  await rm(root, { recursive: true, force: true });
});

/** Processes fetching from `url`, then gone: whatever the test finds alive is ended so that none outlives it. */
async function survivorsOf(url: string): Promise<string[]> {
  await new Promise((resolve) => setTimeout(resolve, 500));
  const alive = await processesMatching(url);
  for (const { pid } of alive) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  return alive.map((p) => p.cmdline);
}

describe("a fetch from a loopback server that accepts and never answers", () => {
  it("through simple-git's timeout: the fetch is rejected, but its remote helper lives on", async () => {
    const url = `http://127.0.0.1:${port}/simple-git.git`;
    const fetch = simpleGit({ baseDir: repo, timeout: { block: 2_000 } }).fetch(url, "main");
    await expect(fetch).rejects.toThrow("block timeout reached");
    const survivors = await survivorsOf(url);
    expect(survivors).toEqual(expect.arrayContaining([expect.stringContaining("remote-http")]));
  });

  it("through okstra's wrapper: killed as a process group at its deadline, nothing left", async () => {
    const url = `http://127.0.0.1:${port}/okstra.git`;
    const result = await git(["fetch", url, "main"], { cwd: repo, timeoutMs: 2_000, allowFailure: true });
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain("killed at its 2 s deadline");
    expect(await survivorsOf(url)).toEqual([]);
  });
});

describe("hooks and fsmonitor off per call", () => {
  it("simple-git refuses the settings unless each is opted into as unsafe", async () => {
    const config = ["core.hooksPath=/dev/null", "core.fsmonitor=false"];
    await expect(simpleGit({ baseDir: repo, config }).raw(["status", "--porcelain"])).rejects.toThrow(
      /allowUnsafeHooksPath/,
    );
    const unsafe = { allowUnsafeHooksPath: true, allowUnsafeFsMonitor: true };
    await expect(simpleGit({ baseDir: repo, config, unsafe }).raw(["status", "--porcelain"])).resolves.toBe("");
  });
});
