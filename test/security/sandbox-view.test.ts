import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { git } from "../../src/util/git.js";
import { runProcess } from "../../src/workers/run-process.js";

/**
 * What a worker with its clone writable still cannot touch (SPEC §14.1): the
 * clone's object-store alternates (okstra's own git follows them when it
 * pushes), and okstra's secrets wherever they lie — even inside a system
 * path the sandbox shows read-only.
 */

let root: string;
let clone: string;
let optDir: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "okstra-sandbox-view-"));
  clone = path.join(root, "clone");
  await git(["init", "-q", clone], { cwd: root });
  await mkdir(path.join(clone, ".git", "objects", "info"), { recursive: true });
  await writeFile(path.join(clone, ".git", "objects", "info", "alternates"), "/trusted/mirror/objects\n");
  optDir = path.join("/opt", `okstra-test-${process.pid}`);
  await mkdir(optDir, { recursive: true });
  await writeFile(path.join(optDir, "app.pem"), "-----BEGIN RSA PRIVATE KEY-----\nnot-a-real-key\n");
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
  await rm(optDir, { recursive: true, force: true });
});

const sandboxed = (script: string, env: NodeJS.ProcessEnv = {}) =>
  runProcess({
    command: "/bin/sh",
    args: ["-c", script],
    cwd: clone,
    env: { PATH: "/usr/bin:/bin", ...env },
    stdin: "",
    signal: AbortSignal.timeout(30_000),
    sandbox: { clone, cloneWritable: true },
  });

describe("a worker with a writable clone", () => {
  it("cannot repoint the clone's object store at another repository's", async () => {
    const outcome = await sandboxed("echo /tmp/okstra-cache/mirrors/other.git/objects > .git/objects/info/alternates");
    expect(outcome.exitCode).not.toBe(0);
    expect(await readFile(path.join(clone, ".git", "objects", "info", "alternates"), "utf8")).toBe(
      "/trusted/mirror/objects\n",
    );
  });

  it("cannot read okstra's private key even where a system path is shown read-only", async () => {
    const saved = process.env.PRIVATE_KEY_PATH;
    process.env.PRIVATE_KEY_PATH = path.join(optDir, "app.pem");
    try {
      const outcome = await sandboxed(`cat ${path.join(optDir, "app.pem")}`);
      // The file is masked: reading it is refused.
      expect(outcome.exitCode).not.toBe(0);
      expect(outcome.stdout).not.toContain("not-a-real-key");
    } finally {
      if (saved === undefined) delete process.env.PRIVATE_KEY_PATH;
      else process.env.PRIVATE_KEY_PATH = saved;
    }
  });
});
