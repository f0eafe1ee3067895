import { expect, it } from "@jest/globals";
import { Octokit } from "@octokit/rest";
import { recoveryGraceMs } from "../../src/engine/recovery/schedule.js";
import { scheduleStartupRecovery } from "../../src/queue/startup-recovery.js";
import type { EnqueueOptions, QueueJob } from "../../src/queue/types.js";
import { silentLogger } from "../../src/util/log.js";
import { signLedgerFiles } from "../helpers/signed-ledger.js";
import { API_REPO, httpMock, mockCommitReads, refBody } from "../ledger/github-fixture.js";

/**
 * At start the App schedules a recovery check for every task, on every
 * repository it is installed on, that holds a stage lease (SPEC §10): the
 * in-process queue lost the checks the runs had scheduled. GitHub's API is
 * mocked with its documented shapes; the ledger files are real rows.
 */

const NOW = new Date("2026-11-21T12:00:00.000Z");
const LEASE_MS = 10 * 60_000;
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const client = () => new Octokit({ auth: "token", log: quiet });
const sha = (c: string) => c.repeat(40);

const row = (fields: Record<string, unknown>) => JSON.stringify({ at: "2026-11-21T11:00:00.000Z", ...fields });
const started = (run: string, stage: number, leaseUntil: string) =>
  row({ run, status: "started", stage, leaseUntil, baseCommit: sha("b") });

it("schedules one check per task holding a lease — due now for an expired lease, after the lease for a live one — and skips repositories without a ledger and installations it cannot read", async () => {
  // Signed as okstra writes them (SPEC §14.5): recovery acts only on rows okstra wrote.
  const files: Record<string, string> = signLedgerFiles({
    // #5: impl-1 died; its lease ran out at 11:30.
    "tasks/5/task.json": "{}",
    "tasks/5/ledger.jsonl": `${started("impl-1", 1, "2026-11-21T11:30:00.000Z")}\n`,
    // #6: done, nothing held.
    "tasks/6/ledger.jsonl": `${started("impl-1", 1, "2026-11-21T11:30:00.000Z")}\n${row({ run: "impl-1", status: "done", stage: 1, headCommit: sha("c"), branch: "okstra/6/s1", carryPath: "tasks/6/carry/stage-1.json" })}\n`,
    // #7: two stages running elsewhere, leases until 12:05 and 12:08 (renewed).
    "tasks/7/ledger.jsonl": `${started("impl-2", 1, "2026-11-21T12:05:00.000Z")}\n${started("impl-2", 2, "2026-11-21T12:08:00.000Z")}\n`,
  });
  const api = httpMock();
  api
    .get("/app/installations")
    .query({ per_page: "100" })
    .reply(200, [
      { id: 11, account: { login: "acme" } },
      { id: 12, account: { login: "suspended-org" } },
    ]);
  api
    .get("/installation/repositories")
    .query({ per_page: "100" })
    .reply(200, {
      total_count: 2,
      repository_selection: "selected",
      repositories: [
        { name: "widgets", owner: { login: "acme" } },
        { name: "empty", owner: { login: "acme" } },
      ],
    });
  api.get("/repos/acme/empty/git/ref/heads/okstra/ledger").reply(404, {
    message: "Not Found",
    documentation_url: "https://docs.github.com/rest/git/refs#get-a-reference",
    status: "404",
  });
  api.get(`${API_REPO}/git/ref/heads/okstra/ledger`).reply(200, refBody(sha("1")));
  mockCommitReads(api, sha("1"), sha("2"), files, [
    "tasks/5/ledger.jsonl",
    "tasks/6/ledger.jsonl",
    "tasks/7/ledger.jsonl",
  ]);
  // The second installation's token no longer works (suspended): it is skipped, not fatal.
  api.get("/installation/repositories").query({ per_page: "100" }).reply(403, {
    message: "This installation has been suspended",
    documentation_url: "https://docs.github.com/rest",
    status: "403",
  });

  const scheduled: Array<{ job: QueueJob; options: EnqueueOptions }> = [];
  const authed: Array<number | undefined> = [];
  const result = await scheduleStartupRecovery(
    { auth: async (id?: number) => (authed.push(id), client()) },
    async (job, options) => (scheduled.push({ job, options }), true),
    { log: silentLogger, leaseMs: LEASE_MS, now: () => NOW },
  );

  const grace = recoveryGraceMs(LEASE_MS);
  expect(authed).toEqual([undefined, 11, 12]);
  expect(result).toMatchObject({ installations: 2, repositories: 2, ledgers: 1 });
  expect(scheduled.map(({ job, options }) => ({ job, delayMs: options.delayMs }))).toEqual([
    {
      job: {
        kind: "recovery-check",
        deliveryId: `recovery-5-${Date.parse("2026-11-21T11:30:00.000Z") + grace}`,
        repo: { owner: "acme", repo: "widgets" },
        installationId: 11,
        issueNumber: 5,
        dueAt: new Date(Date.parse("2026-11-21T11:30:00.000Z") + grace).toISOString(),
        receivedAt: NOW.toISOString(),
      },
      delayMs: 0,
    },
    {
      // The same job a live run scheduled for its latest lease: a duplicate the queue drops.
      job: expect.objectContaining({
        issueNumber: 7,
        deliveryId: `recovery-7-${Date.parse("2026-11-21T12:08:00.000Z") + grace}`,
      }),
      delayMs: 8 * 60_000 + grace,
    },
  ]);
});
