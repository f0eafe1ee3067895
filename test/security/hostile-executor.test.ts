import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createSampleRepository, FIXTURES_DIR } from "../../src/cli/sample-repository.js";
import { git } from "../../src/util/git.js";
import { planningWorker, RECORDINGS } from "../helpers/local-repo.js";
import { ENV_SECRETS, filesUnder, forbiddenStrings, MARKER, PRINTED_SHAPES, processesMatching } from "./planted.js";

/**
 * SPEC §14 against a hostile executor, through the real `okstra` CLI (a child
 * process with fake secrets in its environment) on the local platform. Stage 2's
 * executor tries everything the issue lists; stage 1's is honest. The worker
 * reports each attempt to a loopback server here, which also tells it where
 * to aim (okstra's pid, HOME, mirror cache, another run's clone).
 */

const HERE = path.dirname(fileURLToPath(import.meta.url));
const OKSTRA_BIN = path.resolve(HERE, "../../bin/okstra.js");
const HOSTILE = path.join(HERE, "fixtures", "hostile-executor.mjs");
const EXECUTOR = path.join(RECORDINGS, "executor-worker.mjs");
const STAGES = path.join(RECORDINGS, "inventory-csv", "stages");
const PROCESS_MARKER = `okstra-hostile-survivor-${process.pid}`;

interface Attempt {
  name: string;
  outcome: "blocked" | "done" | "LEAKED";
  detail: string;
}

let root: string;
let repoDir: string;
let okstraTmp: string;
let okstraHome: string;
let cacheDir: string;
let hostMarkerDir: string;
let otherRunFile: string;
let server: Server;
let reportUrl: string;
let okstraPid = 0;
let attempts: Attempt[] = [];
const cliOutput: string[] = [];

function okstraEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: okstraHome,
    TMPDIR: okstraTmp,
    OKSTRA_CACHE_DIR: cacheDir,
    LOG_LEVEL: "debug",
    ...ENV_SECRETS,
  };
}

/** One `okstra run` as a child process; its whole output is kept for the secret scan. */
function okstra(comment: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        OKSTRA_BIN,
        "run",
        comment,
        "--repo",
        repoDir,
        "--issue",
        "1",
        "--issue-file",
        path.join(FIXTURES_DIR, "sample-issue.md"),
      ],
      {
        env: okstraEnv(),
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    okstraPid = child.pid ?? 0;
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`okstra ${comment} did not exit within 120 s:\n${output.slice(-2000)}`));
    }, 120_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      cliOutput.push(output);
      resolve({ code, output });
    });
  });
}

function startReportServer(): Promise<void> {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      if (req.url === "/targets") {
        const targets = {
          marker: MARKER,
          processMarker: PROCESS_MARKER,
          okstraPid,
          okstraHome,
          cacheDir,
          otherRunFile,
          envFile: path.join(repoDir, "..", ".env"),
          hostMarkerDir,
          writeTargets: [
            path.join(okstraTmp, "pwned"),
            path.join(okstraHome, "pwned"),
            path.join(hostMarkerDir, "pwned"),
            path.join(repoDir, "pwned"),
            path.join(FIXTURES_DIR, "pwned"),
          ],
          shapes: PRINTED_SHAPES,
        };
        res.end(JSON.stringify(targets));
        return;
      }
      if (req.url === "/report") attempts = JSON.parse(body) as Attempt[];
      res.end("ok");
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      reportUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
      resolve();
    }),
  );
}

async function plantHostSecrets(): Promise<void> {
  await mkdir(path.join(okstraHome, ".ssh"), { recursive: true });
  await writeFile(
    path.join(okstraHome, ".ssh", "id_rsa"),
    `-----BEGIN OPENSSH PRIVATE KEY-----\n${MARKER}ssh\n-----END OPENSSH PRIVATE KEY-----\n`,
  );
  await mkdir(cacheDir, { recursive: true });
  await writeFile(path.join(cacheDir, "planted-secret.txt"), `${MARKER} another repository's mirror\n`);
  await mkdir(path.dirname(otherRunFile), { recursive: true });
  await writeFile(otherRunFile, `${MARKER} another run's clone\n`);
  await writeFile(path.join(repoDir, "..", ".env"), `PRIVATE_KEY=${MARKER}\n`);
  await mkdir(hostMarkerDir, { recursive: true });
}

async function configure(): Promise<void> {
  const executor = `${process.execPath} ${HOSTILE} --hostile-stage 2 --report ${reportUrl} -- ${process.execPath} ${EXECUTOR} --stages ${STAGES}`;
  await writeFile(
    path.join(repoDir, ".github", "okstra.yml"),
    [
      "workers:",
      `  lead: ${planningWorker("--lead good")}`,
      `  analysers: [ ${planningWorker("--draft full --review agree")}, ${planningWorker("--draft full --review agree")} ]`,
      `  executor: { provider: command, command: "${executor}" }`,
      "pilot: false",
    ].join("\n"),
  );
  await git(["add", "-A"], { cwd: repoDir });
  await git(["commit", "-q", "-m", "chore: configure okstra"], { cwd: repoDir });
}

let implement: { code: number | null; output: string };
let finishedAt = 0;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "okstra-security-"));
  okstraTmp = path.join(root, "okstra-tmp");
  okstraHome = path.join(root, "okstra-home");
  cacheDir = path.join(root, "cache");
  hostMarkerDir = path.join(root, "host-markers");
  otherRunFile = path.join(okstraTmp, "okstra-runs", "other-run-123456", "repo", "SECRET.txt");
  await mkdir(okstraTmp, { recursive: true });
  repoDir = await createSampleRepository(path.join(root, "project", "inventory-lib"));
  await mkdir(path.join(repoDir, ".github"), { recursive: true });
  await plantHostSecrets();
  await startReportServer();
  await configure();
  expect((await okstra("/okstra plan")).code).toBe(0);
  expect((await okstra("/okstra approve")).code).toBe(0);
  implement = await okstra("/okstra implement");
  finishedAt = Date.now();
}, 300_000);

afterAll(async () => {
  server?.close();
  for (const { pid } of await processesMatching(PROCESS_MARKER)) process.kill(pid, "SIGKILL");
  await rm(root, { recursive: true, force: true });
  await rm(path.join(FIXTURES_DIR, "pwned"), { force: true });
});

describe("a hostile executor next to an honest one (okstra CLI, local platform)", () => {
  it("exits, with the honest stage done and the symlink stage failed with its reason", async () => {
    expect(implement.code).not.toBeNull();
    const rows = (await git(["show", "okstra/ledger:tasks/1/ledger.jsonl"], { cwd: repoDir })).stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const latest = (stage: number) => rows.filter((r) => r.stage === stage).at(-1);
    expect(latest(1)).toMatchObject({ status: "done" });
    expect(latest(2)).toMatchObject({ status: "failed", reason: "symlink-outside-clone" });
    // The reason is the row's own field; the detail says which link and where it leads (each reason said once).
    expect(latest(2).detail).toContain("NOTES.md -> /proc/self/environ");
  });

  it("the worker ran and reported, and could read no secret of okstra's", () => {
    expect(attempts.length).toBeGreaterThan(10);
    expect(attempts.filter((a) => a.outcome === "LEAKED")).toEqual([]);
    const byName = Object.fromEntries(attempts.map((a) => [a.name, a]));
    for (const name of ["okstra-pid-environ", "ssh-key", "mirror-cache-read", "other-run-clone", "okstra-env-file"]) {
      expect(byName[name]).toMatchObject({ outcome: "blocked" });
    }
    // Its parent is the sandbox's own init, with the worker's own allow-listed environment.
    expect(byName["proc-parent-environ"].detail).toContain("OKSTRA_ROLE=executor");
    // Of the mirror cache it sees only the path to its own repository's objects.
    expect(JSON.parse(byName["mirror-cache-list"].detail)).toEqual(["mirrors"]);
    // Its own PID namespace: a handful of its own processes, none of the host's.
    expect(Number(byName["proc-scan"].detail.split(" ")[0])).toBeLessThan(10);
  });

  it("could write nowhere outside its clone, nor into its clone's git config", () => {
    const writes = attempts.filter((a) => a.name.startsWith("write "));
    expect(writes).toHaveLength(5);
    // Inside, /tmp is the sandbox's private, empty tmpfs: a write to a host path under /tmp (okstra's TMPDIR, or a
    // checkout of okstra that lies there, as CI's may) succeeds in there and never reaches the host. Every other write is refused.
    for (const write of writes) {
      const target = write.name.slice("write ".length);
      expect(existsSync(target)).toBe(false);
      if (!target.startsWith("/tmp/")) expect(write).toMatchObject({ outcome: "blocked" });
    }
    for (const name of ["git-config-fsmonitor", "append-git-config", "git-config-filter"])
      expect(attempts.find((a) => a.name === name)).toMatchObject({ outcome: "blocked" });
    for (const file of ["pwned"].map((f) => path.join(okstraTmp, f))) expect(existsSync(file)).toBe(false);
    expect(existsSync(path.join(okstraHome, "pwned"))).toBe(false);
    expect(existsSync(path.join(FIXTURES_DIR, "pwned"))).toBe(false);
    expect(existsSync(path.join(repoDir, "pwned"))).toBe(false);
  });

  it("no planted hook, filter or fsmonitor ran", async () => {
    expect(attempts.filter((a) => a.name.startsWith("hook ")).every((a) => a.outcome === "done")).toBe(true); // planted, in its own clone
    expect(await readdir(hostMarkerDir)).toEqual([]);
  });

  it("no process the worker started is alive 2 s after it ended", async () => {
    const wait = finishedAt + 2_000 - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    expect(await processesMatching(PROCESS_MARKER)).toEqual([]);
  });

  it("no planted secret is on any commit of okstra/ledger, in comments, PRs, check runs, logs or CLI output", async () => {
    const ledger = (await git(["log", "-p", "--format=%H %s%n%b", "okstra/ledger"], { cwd: repoDir })).stdout;
    const platform = await filesUnder(path.join(repoDir, ".okstra-local"));
    expect(platform.some((f) => f.file.includes(`${path.sep}comments${path.sep}`))).toBe(true);
    expect(platform.some((f) => f.file.includes(`${path.sep}pulls${path.sep}`))).toBe(true);
    const places: Array<[string, string]> = [
      ["okstra/ledger", ledger],
      ...platform.map((f): [string, string] => [f.file, f.text]),
      ...cliOutput.map((o, i): [string, string] => [`okstra run #${i + 1} output`, o]),
    ];
    // The failure detail carries the commit subject the worker filled with secrets: redacted, not dropped.
    expect(ledger).toContain("[redacted-token]");
    const leaks = places.flatMap(([where, text]) =>
      forbiddenStrings()
        .filter((secret) => text.includes(secret))
        .map((secret) => `${where}: ${secret.slice(0, 40)}`),
    );
    expect(leaks).toEqual([]);
    // No terminal escapes reached comments or the terminal.
    for (const [, text] of places) expect(text).not.toMatch(/\u001b/);
  });
});
