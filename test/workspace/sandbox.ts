import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { GitRemote } from "../../src/platform/types.js";
import { git } from "../../src/util/git.js";
import { silentLogger } from "../../src/util/log.js";
import type { OpenWorkspaceOptions } from "../../src/workspace/workspace.js";

/**
 * A real "remote" (a bare repository) in a temp dir, an author clone to push
 * commits onto it the way a person would, and the cache and run roots the
 * workspace under test uses — all removed by `remove()`.
 */

/** A header shaped like GitHub's; git ignores http headers for a path remote, so the test can only see it leak onto disk. */
export const FAKE_HEADER = "AUTHORIZATION: basic c2VjcmV0";
export const FAKE_SECRET = "c2VjcmV0";

/** The child process the workspace tests race and kill (test/workspace/mirror-child.ts), run with `TSX`. */
export const MIRROR_CHILD = fileURLToPath(new URL("./mirror-child.ts", import.meta.url));

export interface Sandbox {
  base: string;
  remoteDir: string;
  cacheDir: string;
  workspaceRoot: string;
  remote: GitRemote;
  /** The first commit on `main`. */
  initial: string;
  /** Commits `files` (null deletes) on `branch`, starting from `from` (default: the branch's remote head), and pushes it. */
  commit(branch: string, files: Record<string, string | null>, message: string, from?: string): Promise<string>;
  remoteHead(branch: string): Promise<string | null>;
  options(overrides?: Partial<OpenWorkspaceOptions>): OpenWorkspaceOptions;
  remove(): Promise<void>;
}

export async function createSandbox(): Promise<Sandbox> {
  const base = await mkdtemp(join(tmpdir(), "okstra-ws-test-"));
  const remoteDir = join(base, "remote.git");
  const author = join(base, "author");
  await git(["init", "--bare", "--quiet", "--initial-branch=main", remoteDir], { cwd: base });
  await git(["init", "--quiet", "--initial-branch=main", author], { cwd: base });
  await git(["remote", "add", "origin", remoteDir], { cwd: author });

  const commit: Sandbox["commit"] = async (branch, files, message, from) => {
    await git(["fetch", "--quiet", "origin"], { cwd: author });
    const start = from ?? (await remoteRef(remoteDir, branch));
    if (start) await git(["checkout", "--quiet", "--force", "-B", branch, start], { cwd: author });
    else await git(["checkout", "--quiet", "--orphan", branch], { cwd: author });
    for (const [path, content] of Object.entries(files)) {
      if (content === null) await rm(join(author, path), { force: true });
      else {
        await mkdir(dirname(join(author, path)), { recursive: true });
        await writeFile(join(author, path), content);
      }
    }
    await git(["add", "--all"], { cwd: author });
    await git(["commit", "--quiet", "--allow-empty", "-m", message], { cwd: author });
    await git(["push", "--quiet", "--force", "origin", `HEAD:refs/heads/${branch}`], { cwd: author });
    return (await git(["rev-parse", "HEAD"], { cwd: author })).stdout.trim();
  };

  const initial = await commit(
    "main",
    { "README.md": "# sample\n", "src/a.ts": "export const a = 1;\n", "src/b.ts": "export const b = 2;\n" },
    "chore: initial",
  );
  const sandbox: Sandbox = {
    base,
    remoteDir,
    cacheDir: join(base, "cache"),
    workspaceRoot: join(base, "runs"),
    remote: { url: remoteDir, extraHeader: FAKE_HEADER },
    initial,
    commit,
    remoteHead: (branch) => remoteRef(remoteDir, branch),
    options: (overrides = {}) =>
      ({
        remote: sandbox.remote,
        baseBranch: "main",
        runId: "run-1",
        log: silentLogger,
        cacheDir: sandbox.cacheDir,
        workspaceRoot: sandbox.workspaceRoot,
        ...overrides,
      }) as OpenWorkspaceOptions,
    remove: () => rm(base, { recursive: true, force: true }),
  };
  return sandbox;
}

async function remoteRef(remoteDir: string, branch: string): Promise<string | null> {
  const found = await git(["rev-parse", "--verify", "--quiet", `refs/heads/${branch}`], {
    cwd: remoteDir,
    allowFailure: true,
  });
  return found.exitCode === 0 ? found.stdout.trim() : null;
}

/** Every file under `dir` whose bytes contain `needle`. */
export async function filesContaining(dir: string, needle: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  const hits: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry);
    if (!(await stat(path)).isFile()) continue;
    if ((await readFile(path)).includes(needle)) hits.push(entry);
  }
  return hits;
}

export async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null)) !== null;
}

export async function gitIn(cwd: string, ...args: string[]): Promise<string> {
  return (await git(args, { cwd })).stdout.trim();
}
