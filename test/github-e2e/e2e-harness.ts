import { generateKeyPairSync } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Probot, ProbotOctokit } from "probot";
import { pino } from "pino";
import { okstraApp } from "../../src/app.js";
import { createSampleRepository, FIXTURES_DIR } from "../../src/cli/sample-repository.js";
import { git } from "../../src/util/git.js";
import type { JobQueue } from "../../src/queue/types.js";
import {
  enableReceivePack,
  startGitHttpServer,
  type GitHttpRequest,
  type GitHttpServer,
} from "../helpers/git-http-server.js";
import { issueCommentPayload } from "../helpers/webhooks.js";
import { checkDeliveries } from "../helpers/probot.js";
import { planningWorker, RECORDINGS } from "../helpers/local-repo.js";
import { BareRepo } from "./bare-repo.js";
import { FakeGitHub, type ApiRequest } from "./fake-github-api.js";

/**
 * One end-to-end world per test: the sample project as a bare repository
 * behind a real git smart-HTTP server on 127.0.0.1 (the App's `serverUrl`,
 * as a GitHub Enterprise host would be configured), the fake GitHub API on
 * api.github.com over the same repository, and a real Probot with okstra
 * loaded. okstra's own disk — the mirror cache (`OKSTRA_CACHE_DIR`) and its
 * run directories (under `TMPDIR`) — is kept apart from "GitHub's" disk, so
 * a test can search it for credentials.
 */

export const OWNER = "Codertocat";
export const REPO = "Hello-World";
export const INSTALLATION_TOKEN = "ghs_e2einstallationtoken000000000000000";
const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

/** The requests one command made: index ranges into `github.requests` and `server.requests`. */
export interface Phase {
  command: string;
  commentId: number;
  api: ApiRequest[];
  git: GitHttpRequest[];
}

export interface E2eWorld {
  github: FakeGitHub;
  server: GitHttpServer;
  bare: BareRepo;
  /** okstra's side of the disk: the mirror cache and the run directories live here. */
  okstraDir: string;
  /** Where the snapshot executor copies each run directory while it is alive. */
  snapshotsDir: string;
  /**
   * Posts `/okstra …` as Codertocat on issue #1 (or in the conversation of
   * pull request `on`), waits until the job has finished, and says which
   * requests it made.
   */
  comment(body: string, on?: number): Promise<Phase>;
  /** Delivers any webhook to okstra, waits until its jobs have finished, and says which requests they made. */
  deliver(name: string, payload: Record<string, any>, command: string, commentId: number): Promise<Phase>;
  dispose(): Promise<void>;
}

const EXECUTOR = path.join(RECORDINGS, "executor-worker.mjs");
const STAGES = path.join(RECORDINGS, "inventory-csv", "stages");
const SNAPSHOT_EXECUTOR = path.join(path.dirname(fileURLToPath(import.meta.url)), "snapshot-executor.mjs");

/** The GitHub side of a world, shared by the in-process and the child-process worlds. */
export interface GitHubSide {
  /** The temporary directory everything lives under; `dispose()` removes it. */
  root: string;
  github: FakeGitHub;
  server: GitHttpServer;
  bare: BareRepo;
  okstraDir: string;
  snapshotsDir: string;
}

export interface SampleConfigOptions {
  /** Appended to the recorded executor's command line (fixtures/recordings/executor-worker.mjs): `--mode commit-then-sleep --only-stage 1`. */
  executorFlags?: string;
  /**
   * Top-level keys of `.github/okstra.yml` replaced or added, each as the YAML
   * text after `key:` — flow style (`{ verification: "{ autoVerify: true }" }`),
   * or an indented block when it starts with a newline. The defaults are
   * `minimumPermission`, `verification`, `qaCommands` and `workers`.
   */
  config?: Record<string, string>;
}

/**
 * The sample project as a bare repository behind the git server, and the
 * fake GitHub over it (not yet reachable: install it into nock, or serve it).
 */
export async function createGitHubSide(options: SampleConfigOptions = {}): Promise<GitHubSide> {
  const root = await mkdtemp(path.join(tmpdir(), "okstra-e2e-"));
  const githubRoot = path.join(root, "github");
  const okstraDir = path.join(root, "okstra");
  const snapshotsDir = path.join(root, "snapshots");
  await Promise.all([mkdir(path.join(okstraDir, "tmp"), { recursive: true }), mkdir(snapshotsDir)]);
  const bare = new BareRepo(await publishSampleRepository(root, githubRoot, sampleConfig(snapshotsDir, options)));

  const server = await startGitHttpServer({ root: githubRoot, token: INSTALLATION_TOKEN });
  const issue = issueCommentPayload("created", { body: "" }).issue;
  issue.title = "Export the inventory as CSV";
  issue.body = await readFile(path.join(FIXTURES_DIR, "sample-issue.md"), "utf8");
  const github = new FakeGitHub({ owner: OWNER, repo: REPO, bare, installationToken: INSTALLATION_TOKEN, issue });
  return { root, github, server, bare, okstraDir, snapshotsDir };
}

export async function createE2eWorld(options: SampleConfigOptions = {}): Promise<E2eWorld> {
  const saved = {
    TMPDIR: process.env.TMPDIR,
    OKSTRA_CACHE_DIR: process.env.OKSTRA_CACHE_DIR,
    OKSTRA_SANDBOX: process.env.OKSTRA_SANDBOX,
  };
  const { root, github, server, bare, okstraDir, snapshotsDir } = await createGitHubSide(options);
  // The snapshot executor copies its whole run directory out for the credential scan, which the
  // sandbox forbids (it sees only its clone): these runs are unconfined; test/security/ covers the sandbox.
  process.env.OKSTRA_SANDBOX = "off";
  process.env.TMPDIR = path.join(okstraDir, "tmp");
  process.env.OKSTRA_CACHE_DIR = path.join(okstraDir, "cache");
  github.install();
  const { probot, queue } = await createApp(server.url);

  let delivery = 0;
  const deliver: E2eWorld["deliver"] = async (name, payload, command, commentId) => {
    payload.repository.default_branch = "main";
    const [apiFrom, gitFrom] = [github.requests.length, server.requests.length];
    await probot.receive({ id: `e2e-delivery-${++delivery}`, name: name as never, payload: payload as never });
    await queue.drain();
    return { command, commentId, api: github.requests.slice(apiFrom), git: server.requests.slice(gitFrom) };
  };
  return {
    github,
    server,
    bare,
    okstraDir,
    snapshotsDir,
    async comment(body, on) {
      const { id, createdAt } = github.addUserComment(OWNER, body, on);
      const payload = issueCommentPayload("created", { body, commentId: id, login: OWNER });
      payload.comment.created_at = payload.comment.updated_at = createdAt;
      if (on !== undefined) onPullRequest(payload, on);
      return deliver("issue_comment", payload, body, id);
    },
    deliver,
    async dispose() {
      github.uninstall();
      await queue.close();
      await server.close();
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** An `issue_comment` payload moved to pull request `number`'s conversation: GitHub marks the issue `pull_request`. */
function onPullRequest(payload: Record<string, any>, number: number): void {
  const html = `https://github.com/${OWNER}/${REPO}/pull/${number}`;
  payload.issue.number = number;
  payload.issue.url = `https://api.github.com/repos/${OWNER}/${REPO}/issues/${number}`;
  payload.issue.html_url = html;
  payload.issue.pull_request = {
    ...{ url: `https://api.github.com/repos/${OWNER}/${REPO}/pulls/${number}`, html_url: html },
    ...{ diff_url: `${html}.diff`, patch_url: `${html}.patch`, merged_at: null },
  };
}

/** A real Probot whose okstra clones from and pushes to `serverUrl`; retries and throttling off so each request is seen once. */
async function createApp(serverUrl: string): Promise<{ probot: Probot; queue: JobQueue }> {
  const probot = checkDeliveries(
    new Probot({
      appId: 123,
      privateKey,
      secret: "e2e-webhook-secret",
      // OKSTRA_E2E_LOG=error (or debug) shows okstra's own log when a scenario needs explaining.
      log: pino({ level: process.env.OKSTRA_E2E_LOG ?? "silent" }),
      Octokit: ProbotOctokit.defaults((options: object) => ({
        ...options,
        retry: { enabled: false },
        throttle: { enabled: false },
      })),
    }),
  );
  let queue: JobQueue | undefined;
  await probot.load(okstraApp({ onQueue: (q) => (queue = q), statusIntervalMs: 0, serverUrl }));
  if (!queue) throw new Error("okstra did not create its queue");
  return { probot, queue };
}

/**
 * `.github/okstra.yml`: the workers are the recorded `command` workers, by
 * absolute path (no shell runs them).
 */
function sampleConfig(snapshotsDir: string, options: SampleConfigOptions): string {
  const executorFlags = options.executorFlags ? ` ${options.executorFlags}` : "";
  const executor = `{ provider: command, command: "${process.execPath} ${SNAPSHOT_EXECUTOR} ${snapshotsDir} ${process.execPath} ${EXECUTOR} --stages ${STAGES}${executorFlags}" }`;
  const keys: Record<string, string> = {
    minimumPermission: "write",
    // Verification (check runs) is off by default to keep the lifecycle short; review-loop.test.ts turns it on.
    verification: "{ autoVerify: false }",
    qaCommands: "\n  test: npm test",
    workers: [
      "",
      `  lead: ${planningWorker("--lead good")}`,
      `  analysers: [ ${planningWorker("--draft full --review agree")}, ${planningWorker("--draft full --review agree")} ]`,
      `  executor: ${executor}`,
    ].join("\n"),
    ...options.config,
  };
  return `${Object.entries(keys)
    .map(([key, value]) => `${key}:${value.startsWith("\n") ? "" : " "}${value}`)
    .join("\n")}\n`;
}

/** The sample project with `config` as `.github/okstra.yml` on `main`, published as the bare repository `<owner>/<repo>.git` the server serves. */
async function publishSampleRepository(root: string, githubRoot: string, config: string): Promise<string> {
  const author = await createSampleRepository(path.join(root, "author"));
  await writeFile(path.join(author, ".github", "okstra.yml"), config);
  await git(["add", ".github/okstra.yml"], { cwd: author });
  await git(["commit", "-q", "-m", "chore: configure okstra"], { cwd: author });
  const bareDir = path.join(githubRoot, OWNER, `${REPO}.git`);
  await git(["clone", "--bare", "--quiet", author, bareDir], { cwd: root });
  await enableReceivePack(bareDir);
  return bareDir;
}
