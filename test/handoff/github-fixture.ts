import type nock from "nock";
import { gitBlobSha } from "../../src/ledger/object-cache.js";
import type { LedgerRow } from "../../src/ledger/rows.js";
import { blobBody, treeBody } from "../ledger/github-fixture.js";
import { sha, taskMeta, T0 } from "../ledger/fixtures.js";
import { validPlan } from "../planning/plan-fixture.js";
import { webhookExample } from "../helpers/webhooks.js";
import { signLedgerFiles } from "../helpers/signed-ledger.js";

/** GitHub-side builders for the handoff tests: the Hello-World repository of the webhook examples, task 1. */

export const REPO = "/repos/Codertocat/Hello-World";
export const TASK = 1;
const AT = T0.toISOString();

/** A pull request as GitHub's REST API returns it (the fields the adapter reads). */
export function restPull(
  number: number,
  head: string,
  base: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    number,
    node_id: `PR_${number}`,
    title: `PR ${number}`,
    body: "",
    head: { ref: head, sha: "a".repeat(40), label: `Codertocat:${head}` },
    base: { ref: base, sha: "b".repeat(40), label: `Codertocat:${base}` },
    draft: false,
    state: "open",
    merged_at: null,
    html_url: `https://github.com/Codertocat/Hello-World/pull/${number}`,
    ...overrides,
  };
}

export const merged = { state: "closed", merged_at: "2026-11-21T10:00:00Z" };
export const closed = { state: "closed", merged_at: null };

export function stagePrRow(stage: number, number: number): LedgerRow {
  return {
    at: AT,
    run: "impl-1",
    status: "pr",
    stages: [stage],
    kind: "stage",
    branch: `okstra/${TASK}/s${stage}`,
    number,
    url: `https://github.com/Codertocat/Hello-World/pull/${number}`,
  };
}

export function groupPrRow(stages: number[], number: number): LedgerRow {
  return {
    at: AT,
    run: "ship-1",
    status: "pr",
    stages,
    kind: "group",
    branch: `okstra/${TASK}/group-${stages.join("-")}`,
    number,
    url: `https://github.com/Codertocat/Hello-World/pull/${number}`,
  };
}

export function doneRow(stage: number): LedgerRow {
  return {
    at: AT,
    run: "impl-1",
    status: "done",
    stage,
    headCommit: sha(`s${stage}-head`),
    branch: `okstra/${TASK}/s${stage}`,
    carryPath: `tasks/${TASK}/carry/stage-${stage}.json`,
  };
}

/**
 * The reads of a cold ledger cache for task 1 with these rows over the
 * 4-stage fixture plan (stage 3 on 1 and 2, stage 4 on 3): the ref, the
 * tree, and the three files `readTask` opens.
 */
export function mockLedgerRead(scope: nock.Scope, rows: LedgerRow[]): void {
  const commit = sha("ledger-head");
  // As okstra wrote them (SPEC §14.5): rows signed, files listed in signatures.json — read too.
  const files: Record<string, string> = signLedgerFiles({
    [`tasks/${TASK}/task.json`]: `${JSON.stringify(taskMeta(TASK), null, 2)}\n`,
    [`tasks/${TASK}/plan.json`]: `${JSON.stringify(validPlan(), null, 2)}\n`,
    [`tasks/${TASK}/ledger.jsonl`]: rows.map((r) => `${JSON.stringify(r)}\n`).join(""),
  });
  scope
    .get(`${REPO}/git/ref/heads/okstra/ledger`)
    .reply(200, { ref: "refs/heads/okstra/ledger", object: { type: "commit", sha: commit } });
  scope
    .get(`${REPO}/git/trees/${commit}`)
    .query({ recursive: "1" })
    .reply(200, treeBody(sha("ledger-tree"), files));
  for (const text of Object.values(files))
    scope.get(`${REPO}/git/blobs/${gitBlobSha(text)}`).reply(200, blobBody(text));
}

/** A real `pull_request.closed` payload from @octokit/webhooks-examples, adjusted to one of okstra's PRs. */
export function pullRequestClosedPayload(adjust: {
  number: number;
  head: string;
  base: string;
  merged: boolean;
  userType?: "Bot" | "User";
  fork?: boolean;
}): Record<string, any> {
  const payload = webhookExample("pull_request", "closed");
  const pr = payload.pull_request;
  pr.number = adjust.number;
  payload.number = adjust.number;
  pr.merged = adjust.merged;
  pr.merged_at = adjust.merged ? "2026-11-21T10:00:00Z" : null;
  pr.head.ref = adjust.head;
  pr.base.ref = adjust.base;
  pr.user = {
    ...pr.user,
    login: adjust.userType === "User" ? "Codertocat" : "okstra[bot]",
    type: adjust.userType ?? "Bot",
  };
  if (adjust.fork) pr.head.repo = { ...pr.head.repo, full_name: "someone/Hello-World" };
  payload.installation = { id: 1, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==" };
  return payload;
}

/** Every request a scope answered, in order, as `METHOD path` (query included). */
export function recordOrder(scope: nock.Scope): string[] {
  const order: string[] = [];
  scope.on("request", (req: { method: string; path: string }) =>
    order.push(`${req.method} ${decodeURIComponent(req.path)}`),
  );
  return order;
}

/** A nock body matcher that keeps each body for the assertions. */
export function keep(into: Array<Record<string, unknown>>) {
  return (body: Record<string, unknown>) => {
    into.push(body);
    return true;
  };
}
