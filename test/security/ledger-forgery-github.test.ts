import { describe, expect, it } from "@jest/globals";
import { LedgerUntrustedError } from "../../src/ledger/errors.js";
import { createGitHubLedgerStore } from "../../src/ledger/github-store.js";
import { Ledger } from "../../src/ledger/ledger.js";
import { renderUntrustedRefusal } from "../../src/render/untrusted-ledger.js";
import { signLedgerFiles } from "../helpers/signed-ledger.js";
import { json, sha, T0, taskMeta } from "../ledger/fixtures.js";
import { API_REPO, client, httpMock, mockCommitReads, REF_PATH, refBody, REPO } from "../ledger/github-fixture.js";

/**
 * SPEC §14.5 through the GitHub store: a `verified accepted` row pushed to
 * `okstra/ledger` by someone else. okstra leaves it out, and finds the commit
 * that introduced it with GitHub's commits-for-a-path list — asked only now
 * that something untrusted was found.
 */

const ROWS = "tasks/7/ledger.jsonl";
const C1 = sha("okstra-commit");
const C2 = sha("forged-commit");
const at = T0.toISOString();
const done = {
  at,
  run: "impl-1",
  status: "done",
  stage: 1,
  headCommit: sha("s1"),
  branch: "okstra/7/s1",
  carryPath: "carry/stage-1.json",
};
const forgedRow = {
  at,
  run: "verify-9",
  status: "verified",
  stage: 1,
  verdict: "accepted",
  reportPath: "runs/verify-9/report.md",
  headCommit: sha("s1"),
};

function githubLedger(): Ledger {
  return new Ledger(createGitHubLedgerStore(client(), REPO), { now: () => T0, sleep: async () => undefined });
}

describe("a forged verdict on okstra/ledger (GitHub store)", () => {
  it("is left out of the task, refused, and located at the commit that introduced it", async () => {
    const ours = signLedgerFiles({ "tasks/7/task.json": json(taskMeta(7)), [ROWS]: `${JSON.stringify(done)}\n` });
    const forged = { ...ours, [ROWS]: `${ours[ROWS]}${JSON.stringify(forgedRow)}\n` };
    const scope = httpMock();
    scope.get(REF_PATH).reply(200, refBody(C2));
    mockCommitReads(scope, C2, sha("tree-2"), forged, ["tasks/7/task.json", "tasks/7/signatures.json", ROWS]);
    scope
      .get(`${API_REPO}/commits`)
      .query({ sha: "okstra/ledger", path: ROWS, per_page: "30" })
      .reply(200, [
        { sha: C2, commit: { message: "ledger: hand edit" } },
        { sha: C1, commit: { message: "ledger(#7): done s1 (impl-1)" } },
      ]);
    // The walk back: at C1 line 2 did not exist yet, so C2 introduced it.
    mockCommitReads(scope, C1, sha("tree-1"), ours, [ROWS]);

    const refusal = await githubLedger()
      .readTask(7)
      .catch((e: unknown) => e);

    expect(refusal).toBeInstanceOf(LedgerUntrustedError);
    const error = refusal as LedgerUntrustedError;
    expect(error.entries).toEqual([{ file: ROWS, line: 2, problem: "not signed by okstra", commit: C2 }]);
    const { problem, instead } = renderUntrustedRefusal(7, error.entries, error.unsigned);
    expect(problem).toContain(`\`${ROWS}\` line 2: not signed by okstra; introduced by commit \`${C2.slice(0, 12)}\``);
    expect(instead).toContain(`git revert ${C2.slice(0, 12)}`);
  });

  it("costs nothing extra to read when everything is okstra's own: no commits lookup", async () => {
    const ours = signLedgerFiles({ "tasks/7/task.json": json(taskMeta(7)), [ROWS]: `${JSON.stringify(done)}\n` });
    const scope = httpMock();
    scope.get(REF_PATH).reply(200, refBody(C1));
    mockCommitReads(scope, C1, sha("tree-1"), ours, ["tasks/7/task.json", "tasks/7/signatures.json", ROWS]);

    const task = await githubLedger().readTask(7);

    expect(task?.state.stages[0]?.done?.headCommit).toBe(sha("s1"));
    expect(task?.untrusted).toEqual([]);
  });
});
