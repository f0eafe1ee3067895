import { describe, expect, it } from "@jest/globals";
import { pino } from "pino";
import { publishPreflightComments } from "../../src/engine/verification/preflight-comments.js";
import type { VerificationContext } from "../../src/engine/verification/verification-context.js";
import type { ShipPreflight } from "../../src/ledger/rows.js";
import type { TaskLedger } from "../../src/ledger/task-ledger.js";
import { PREFLIGHT_MARKER } from "../../src/render/ship-preflight.js";
import { httpMock } from "../helpers/http-mock.js";
import { API_REPO, githubPlatform, restComment } from "../platform/github/fixture.js";

/**
 * The ship preflight's comments over the GitHub adapter (nock, each request
 * checked against GitHub's OpenAPI description): a conflict is stated once per
 * affected stage PR, later edited in place and cleared; nothing to say costs
 * no request at all (test/setup.ts fails a test on any unmocked request).
 */

const log = pino({ level: "silent" });
const context = { services: { platform: githubPlatform() }, log } as unknown as VerificationContext;
const prRow = (stage: number, number: number) => ({ status: "pr", kind: "stage", stages: [stage], number });
// Only what the publisher reads of the task: each stage's PR rows.
const stages = [1, 2, 3].map((stage) => ({ stage, prs: [prRow(stage, 100 + stage)] }));
const task = { state: { stages } } as unknown as TaskLedger;

const CONFLICT: ShipPreflight = {
  stages: [1, 2, 3],
  conflicts: [{ stages: [1, 2], paths: ["README.md", "src/csv.js"] }],
};
const CLEAN: ShipPreflight = { stages: [1, 2, 3], conflicts: [] };

describe("ship preflight comments on the stage PRs (GitHub adapter)", () => {
  it("nothing conflicts now or before: no request", async () => {
    const notes: string[] = [];
    await publishPreflightComments({ context, task, run: "verify-2", preflight: CLEAN, previous: CLEAN, notes });
    await publishPreflightComments({ context, task, run: "verify-2", preflight: CLEAN, previous: null, notes });
    expect(notes).toEqual([]);
  });

  it("a conflict: one comment on each affected PR, naming stages and paths; stage 3 left alone", async () => {
    const posted: Array<{ pr: number; body: string }> = [];
    const scope = httpMock();
    for (const pr of [101, 102]) {
      scope
        .get(`${API_REPO}/issues/${pr}/comments`)
        .query(true)
        .reply(200, [restComment(900 + pr, `${PREFLIGHT_MARKER}\nquoted by a person`, "mallory")])
        .post(`${API_REPO}/issues/${pr}/comments`, (b: { body: string }) => posted.push({ pr, body: b.body }) > 0)
        .reply(201, restComment(1000 + pr, "posted", "okstra[bot]"));
    }
    const notes: string[] = [];
    await publishPreflightComments({ context, task, run: "verify-2", preflight: CONFLICT, previous: CLEAN, notes });
    expect(notes).toEqual([]);
    expect(posted.map((p) => p.pr)).toEqual([101, 102]);
    for (const { body } of posted) {
      expect(body.startsWith(PREFLIGHT_MARKER)).toBe(true);
      expect(body).toContain("stages 1 and 2 do not merge together: `README.md`, `src/csv.js`");
    }
  });

  it("a later clean preflight edits okstra's own comment to say so, never a person's", async () => {
    const edited: Array<{ id: number; body: string }> = [];
    const scope = httpMock();
    for (const pr of [101, 102]) {
      scope
        .get(`${API_REPO}/issues/${pr}/comments`)
        .query(true)
        .reply(200, [
          restComment(1000 + pr, `${PREFLIGHT_MARKER}\n⚠️ conflict`, "okstra[bot]"),
          restComment(2000 + pr, `${PREFLIGHT_MARKER}\na person quoting it`, "mallory"),
        ])
        .patch(`${API_REPO}/issues/comments/${1000 + pr}`, (b: { body: string }) => {
          edited.push({ id: 1000 + pr, body: b.body });
          return true;
        })
        .reply(200, restComment(1000 + pr, "edited", "okstra[bot]"));
    }
    const notes: string[] = [];
    await publishPreflightComments({ context, task, run: "verify-3", preflight: CLEAN, previous: CONFLICT, notes });
    expect(notes).toEqual([]);
    expect(edited.map((e) => e.id)).toEqual([1101, 1102]);
    for (const { body } of edited) expect(body).toContain("this stage now merges cleanly with every accepted stage");
  });
});
