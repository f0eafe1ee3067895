import { generateKeyPairSync } from "node:crypto";
import { Probot, ProbotOctokit } from "probot";
import { pino } from "pino";
import { okstraApp } from "../../src/app.js";
import { createInProcessQueue } from "../../src/queue/in-process.js";
import type { JobQueue, QueueJob } from "../../src/queue/types.js";
import { checkWebhook } from "./contract/index.js";
import { httpMock, recordContractProblems } from "./http-mock.js";

// One throwaway App key for the whole suite: Probot signs real JWTs with it.
const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

export const WEBHOOK_SECRET = "test-webhook-secret";
export const INSTALLATION_TOKEN = "ghs_installationtoken0000000000000000";

export interface TestApp {
  probot: Probot;
  queue: JobQueue;
}

/**
 * Every payload a test delivers is checked against @octokit/webhooks-schemas
 * first: a fixture adjusted into something GitHub never sends fails the test
 * (reported with the HTTP mocks after it).
 */
export function checkDeliveries(probot: Probot): Probot {
  const receive = probot.receive.bind(probot);
  probot.receive = async (event) => {
    recordContractProblems(checkWebhook(event.name, event.payload as Record<string, unknown>));
    return receive(event);
  };
  return probot;
}

/**
 * Probot's Octokit with HTTP retries and throttling off; a test of okstra's own policy passes another.
 * A function, so it applies after Probot's own defaults: the throttling plugin would otherwise
 * space every comment 3 s apart across the whole suite (GitHub's guidance, right in production).
 */
const QUIET_OCTOKIT = ProbotOctokit.defaults((options: object) => ({
  ...options,
  retry: { enabled: false },
  throttle: { enabled: false },
}));

function testProbot(Octokit: typeof ProbotOctokit = QUIET_OCTOKIT): Probot {
  return checkDeliveries(
    new Probot({
      appId: 123,
      privateKey,
      secret: WEBHOOK_SECRET,
      log: pino({ level: "silent" }),
      Octokit,
    }),
  );
}

/** A real Probot with okstra loaded; HTTP retries off so nock sees each request once. */
export async function createTestApp(Octokit?: typeof ProbotOctokit): Promise<TestApp> {
  const probot = testProbot(Octokit);
  let queue: JobQueue | undefined;
  await probot.load(okstraApp({ onQueue: (q) => (queue = q), statusIntervalMs: 0 }));
  if (!queue) throw new Error("okstra did not create its queue");
  return { probot, queue };
}

/**
 * A real Probot with okstra's handlers and queue, whose jobs `carryOut` runs
 * instead of the GitHub processor — e.g. the engine on the local platform, so
 * a webhook's effect is read back from a local repository. The jobs are
 * recorded in `jobs` as they arrive.
 */
export async function createTestAppWith(
  carryOut: (job: QueueJob) => Promise<void>,
): Promise<TestApp & { jobs: QueueJob[] }> {
  const probot = testProbot();
  const jobs: QueueJob[] = [];
  let queue: JobQueue | undefined;
  await probot.load(
    okstraApp({
      createQueue: (_github, log) =>
        createInProcessQueue(async (job) => {
          jobs.push(job);
          await carryOut(job);
        }, log),
      onQueue: (q) => (queue = q),
    }),
  );
  if (!queue) throw new Error("okstra did not create its queue");
  return { probot, queue, jobs };
}

/** The installation token exchange Probot makes before the job's first API call. */
export function mockInstallationToken(installationId = 1) {
  return httpMock().post(`/app/installations/${installationId}/access_tokens`).reply(201, {
    token: INSTALLATION_TOKEN,
    expires_at: "2099-01-01T00:00:00Z",
    permissions: {},
    repository_selection: "all",
  });
}
