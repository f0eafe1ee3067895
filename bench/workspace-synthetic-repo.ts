import { createHash } from "node:crypto";
import { mkdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { git } from "../src/util/git.js";
import { editedContent, filePath, initialContent, seededRandom } from "./workspace-synthetic-content.js";

/**
 * A large, real git repository for the workspace benchmark, generated with
 * `git fast-import` (a minute or two, where committing 50,000 times would
 * take an hour): a tree of thousands of source files, then commits that each
 * rewrite a block of lines in one to five of them and now and then add a
 * file, as a busy project's history looks. Deterministic for a given size,
 * and built once: it is kept under the cache root and re-used.
 *
 * Packed as a hosting service keeps a repository, without the minutes a
 * full `repack -f` delta search takes on two cores: fast-import deltas each
 * blob against the blob written just before it, so every file's versions are
 * written together, newest first, behind a tiny unique "barrier" blob — the
 * newest version is then stored whole and each older one as a delta of the
 * next, the layout `git repack` produces, and no delta crosses files. The
 * commits then name their blobs by id. Trees are deltified by fast-import
 * against their previous version. A final `repack -a -d -b` merges the packs
 * (re-using those deltas, dropping the barriers) and writes bitmaps, so a
 * clone's "counting objects" is quick. A well-packed remote makes the fresh
 * clone we compare against faster: the fair baseline.
 */

export interface SyntheticRepoSize {
  commits: number;
  files: number;
}

export interface SyntheticRepo {
  path: string;
  built: boolean;
  buildMs: number;
}

const COMPLETE = "okstra-bench-complete";
const START = Date.UTC(2020, 0, 1) / 1000;

export async function ensureSyntheticRepo(cacheDir: string, size: SyntheticRepoSize): Promise<SyntheticRepo> {
  const path = join(cacheDir, "bench", `synthetic-${size.commits}c-${size.files}f.git`);
  if (await stat(join(path, COMPLETE)).catch(() => null)) return { path, built: false, buildMs: 0 };
  const started = Date.now();
  const building = `${path}.building-${process.pid}`;
  await rm(building, { recursive: true, force: true });
  await mkdir(dirname(path), { recursive: true });
  await git(["init", "--bare", "--quiet", "--initial-branch=main", building], { cwd: dirname(path) });
  const history = planHistory(size);
  // In batches: the whole history as one stream would exceed the largest string Node can hold.
  const blobIds: string[][] = [];
  for (const batch of blobBatches(history, blobIds)) await fastImport(building, batch);
  for (const batch of commitBatches(history, blobIds, size.commits)) await fastImport(building, batch);
  await git(["repack", "-a", "-d", "-b", "--quiet"], { cwd: building, timeoutMs: 60 * 60_000 });
  await writeFile(join(building, COMPLETE), `${JSON.stringify(size)}\n`);
  await rm(path, { recursive: true, force: true });
  await rename(building, path);
  return { path, built: true, buildMs: Date.now() - started };
}

/** Adds one commit on `main` of an existing repository, as if someone pushed since the last run. */
export async function addCommit(repo: string, label: string): Promise<void> {
  const content = `// ${label}\nexport const stamp = ${JSON.stringify(label)};\n`;
  const stream =
    "commit refs/heads/main\n" +
    `committer Bench <bench@example.com> ${Math.floor(Date.now() / 1000)} +0000\n` +
    data(`chore: ${label}`) +
    "from refs/heads/main^0\n" +
    `M 100644 inline bench/${label}.ts\n${data(content)}` +
    "done\n";
  await git(["fast-import", "--quiet", "--done"], { cwd: repo, input: stream });
}

const FILES_PER_BATCH = 400;
const COMMITS_PER_BATCH = 5_000;

interface History {
  /** Per commit (index 1…), the files it touches; a file added by the commit is in `added`. */
  touched: number[][];
  added: Array<number | undefined>;
  /** Per file, the commits that edit it, in order. */
  editsOf: number[][];
}

/** Which commit touches which file: decided up front, so every file's versions can be written together. */
function planHistory(size: SyntheticRepoSize): History {
  const random = seededRandom(size.commits, size.files);
  const editsOf: number[][] = Array.from({ length: size.files }, () => []);
  const touched: number[][] = [[], Array.from({ length: size.files }, (_, file) => file)];
  const added: Array<number | undefined> = [];
  for (let commit = 2; commit <= size.commits; commit++) {
    if (random() < 0.02) {
      added[commit] = editsOf.length; // the tree grows, as projects do
      touched[commit] = [editsOf.length];
      editsOf.push([]);
      continue;
    }
    const count = 1 + Math.floor(random() * 5);
    const files = [...new Set(Array.from({ length: count }, () => Math.floor(random() * editsOf.length)))];
    for (const file of files) editsOf[file]!.push(commit);
    touched[commit] = files;
  }
  return { touched, added, editsOf };
}

function* blobBatches(history: History, blobIds: string[][]): Generator<string> {
  let chunks: string[] = [];
  for (let file = 0; file < history.editsOf.length; file++) {
    const versions = [initialContent(file)];
    for (const commit of history.editsOf[file]!) versions.push(editedContent(versions.at(-1)!, file, commit));
    blobIds[file] = versions.map(blobId);
    chunks.push(`blob\n${data(`barrier ${file}`)}`); // ≤ 20 bytes: never deltified, and ends the previous file's chain
    for (const content of versions.reverse()) chunks.push(`blob\n${data(content)}`);
    if ((file + 1) % FILES_PER_BATCH === 0 || file === history.editsOf.length - 1) {
      yield `${chunks.join("")}done\n`;
      chunks = [];
    }
  }
}

function* commitBatches(history: History, blobIds: string[][], commits: number): Generator<string> {
  const version = history.editsOf.map(() => 0);
  let chunks: string[] = [];
  for (let commit = 1; commit <= commits; commit++) {
    const files = history.touched[commit]!;
    if (commit > 1 && history.added[commit] === undefined) for (const file of files) version[file]!++;
    const author = `Dev ${commit % 17} <dev${commit % 17}@example.com> ${START + commit * 600} +0000`;
    const parent =
      commit === 1 ? "" : (commit - 1) % COMMITS_PER_BATCH === 0 ? "from refs/heads/main^0\n" : `from :${commit - 1}\n`;
    const message = commit === 1 ? "chore: initial import" : `feat(${dirname(filePath(files[0]!))}): change ${commit}`;
    chunks.push(
      `commit refs/heads/main\nmark :${commit}\nauthor ${author}\ncommitter ${author}\n${data(message)}${parent}`,
    );
    for (const file of files) chunks.push(`M 100644 ${blobIds[file]![version[file]!]} ${filePath(file)}\n`);
    if (commit % COMMITS_PER_BATCH === 0 || commit === commits) {
      yield `${chunks.join("")}done\n`;
      chunks = [];
    }
  }
}

function fastImport(repo: string, stream: string): Promise<unknown> {
  return git(["fast-import", "--quiet", "--done"], { cwd: repo, input: stream, timeoutMs: 30 * 60_000 });
}

function blobId(content: string): string {
  return createHash("sha1")
    .update(`blob ${Buffer.byteLength(content)}\0`)
    .update(content)
    .digest("hex");
}

function data(text: string): string {
  return `data ${Buffer.byteLength(text)}\n${text}\n`;
}
