import { readdir, readFile, readlink, realpath, rm } from "node:fs/promises";
import path from "node:path";
import type { CommandJob } from "../../src/queue/types.js";
import type { GitHttpServer } from "../helpers/git-http-server.js";
import type { BareRepo } from "./bare-repo.js";
import { createGitHubSide, OWNER, REPO, type SampleConfigOptions } from "./e2e-harness.js";
import type { FakeGitHub } from "./fake-github-api.js";
import { serveFakeGitHub, type ServedGitHub } from "./serve-fake-github.js";

/**
 * An end-to-end world for `okstra worker` child processes: the same sample
 * repository, git server and stateful fake GitHub as `createE2eWorld`, but
 * the fake is served over real HTTP as a GitHub Enterprise host (one
 * 127.0.0.1 port for the API and git) instead of being installed into nock,
 * so several processes share one GitHub. Nothing of okstra runs here: the
 * test starts the workers with `childEnv()` and queues `commandJob()`s.
 */

export interface SharedE2eWorld {
  github: FakeGitHub;
  /** The GHE host the children talk to: `host` for `GHE_HOST`, `unmatched` API requests the fake does not model. */
  served: ServedGitHub;
  /** The git server behind the host; its `requests` are every clone, fetch and push. */
  server: GitHttpServer;
  bare: BareRepo;
  okstraDir: string;
  snapshotsDir: string;
  /**
   * The environment an `okstra worker` child needs on top of startChildWorker's
   * (test/queue/fixtures/child-worker.ts). Workers without a name share one
   * okstra dir, as processes on one machine would; a named worker gets its own
   * `TMPDIR` and `OKSTRA_CACHE_DIR` under `okstraDir/<name>`, as another machine.
   */
  childEnv(worker?: string): Record<string, string>;
  /** Posts `/okstra …` as Codertocat on issue #1 and returns the job the webhook handler would queue for it. */
  commandJob(body: string): CommandJob;
  /** Processes running inside the world's directories (cwd or command line): a killed worker's orphaned executors. */
  processesInWorld(): Promise<Array<{ pid: number; command: string }>>;
  /** Kills what still runs inside the world, stops both servers, removes every directory. The test stops its workers first. */
  dispose(): Promise<void>;
}

export async function createSharedE2eWorld(options: SampleConfigOptions = {}): Promise<SharedE2eWorld> {
  const { root, github, server, bare, okstraDir, snapshotsDir } = await createGitHubSide(options);
  const served = await serveFakeGitHub(github, server.url);
  let delivery = 0;
  const processesInWorld = () => processesUnder(root);
  return {
    github,
    served,
    server,
    bare,
    okstraDir,
    snapshotsDir,
    childEnv(worker) {
      const dir = worker ? path.join(okstraDir, worker) : okstraDir;
      return {
        FIXTURE_PROCESSOR: "github",
        // test/queue/fixtures/worker-process.ts: okstra's Octokit without throttling or retries, status edits unspaced — as createE2eWorld's Probot.
        FIXTURE_OCTOKIT: "unthrottled",
        FIXTURE_STATUS_INTERVAL_MS: "0",
        GHE_HOST: served.host,
        GHE_PROTOCOL: "http",
        TMPDIR: path.join(dir, "tmp"),
        OKSTRA_CACHE_DIR: path.join(dir, "cache"),
        // The snapshot executor copies its run directory out, which the sandbox forbids (see e2e-harness.ts).
        OKSTRA_SANDBOX: "off",
        // The operator of these App workers allows the recorded `command` workers (SPEC §14.6).
        OKSTRA_COMMAND_WORKERS: "1",
      };
    },
    commandJob(body) {
      const { id, createdAt } = github.addUserComment(OWNER, body);
      return {
        deliveryId: `e2e-shared-delivery-${++delivery}`,
        repo: { owner: OWNER, repo: REPO },
        installationId: 1,
        issueNumber: 1,
        isPullRequest: false,
        comment: { id, body, author: OWNER, createdAt },
        receivedAt: new Date().toISOString(),
      };
    },
    processesInWorld,
    async dispose() {
      for (const { pid } of await processesInWorld()) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // ESRCH: it ended meanwhile.
        }
      }
      await served.close();
      await server.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/**
 * okstra runs its workers detached, in their own process group, and kills
 * the group when it exits — which a worker killed with SIGKILL never does.
 * What it left behind runs in a clone under the world (cwd) or names the
 * world's directories on its command line. Linux only (/proc); elsewhere
 * nothing is found.
 */
async function processesUnder(dir: string): Promise<Array<{ pid: number; command: string }>> {
  const root = await realpath(dir); // /proc shows resolved paths
  const entries = await readdir("/proc").catch(() => [] as string[]);
  const found: Array<{ pid: number; command: string }> = [];
  for (const entry of entries) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    const [cwd, cmdline] = await Promise.all([
      readlink(`/proc/${pid}/cwd`).catch(() => ""),
      readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => ""),
    ]);
    const command = cmdline.split("\0").filter(Boolean).join(" ");
    if (cwd === root || cwd.startsWith(`${root}/`) || command.includes(`${root}/`)) found.push({ pid, command });
  }
  return found;
}
