import { describe, expect, it } from "@jest/globals";
import { pino } from "pino";
import type { ClassifiedFinding } from "../../src/engine/verification/converge.js";
import { StageCheckRuns } from "../../src/engine/verification/stage-check-runs.js";
import { checkRunFindings } from "../../src/engine/verification/verification-record.js";
import { renderVerdictOutput, renderVerifyingOutput } from "../../src/render/check-run.js";
import { httpMock } from "../helpers/http-mock.js";
import { API_REPO, githubPlatform } from "../platform/github/fixture.js";

const HEAD = "c".repeat(40);
const SEVERITIES = ["blocker", "major", "minor", "nit"] as const;

/** 120 findings on stage 2, each agreed by two reviewers, at src/file-<n>.js:<n>. */
function findings(count: number): ClassifiedFinding[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `V1-F-${i + 1}`,
    sourceId: `F-${i + 1}`,
    author: "verifier-1-anthropic",
    stage: 2,
    claim: `problem ${i + 1}`,
    evidence: [{ path: `src/file-${i + 1}.js`, line: i + 1, quote: `line ${i + 1}` }],
    severity: SEVERITIES[i % 4]!,
    category: "correctness",
    classification: "full-consensus",
    classifiedInRound: 1,
    answers: [
      { reviewer: "verifier-2-openai", round: 1, verdict: "AGREE", evidence: "" },
      { reviewer: "verifier-3-gemini", round: 1, verdict: "AGREE", evidence: "" },
    ],
  }));
}

type Body = {
  status?: string;
  conclusion?: string;
  external_id?: string;
  actions?: unknown;
  output?: { title: string; summary: string; annotations?: Array<Record<string, unknown>> };
};

describe("stage check runs over the GitHub adapter (nock)", () => {
  it("creates the check run in progress, then completes it with 120 findings in three annotation requests", async () => {
    const bodies: Body[] = [];
    const capture = (body: Body) => {
      bodies.push(body);
      return true;
    };
    const restRun = {
      id: 7001,
      name: "okstra / stage 2",
      head_sha: HEAD,
      status: "in_progress",
      conclusion: null,
      html_url: "https://github.com/acme/widgets/runs/7001",
    };
    httpMock()
      .post(`${API_REPO}/check-runs`, capture)
      .reply(201, restRun)
      .patch(`${API_REPO}/check-runs/7001`, capture)
      .times(3)
      .reply(200, { ...restRun, status: "completed", conclusion: "failure" });

    const runs = new StageCheckRuns(githubPlatform(), 12, "verify-3", pino({ level: "silent" }));
    await runs.start([
      { stage: 2, headSha: HEAD, output: renderVerifyingOutput({ stage: 2, run: "verify-3", verifiers: 3 }) },
    ]);
    expect(runs.all).toEqual([
      {
        stage: 2,
        headSha: HEAD,
        externalId: "12/2/verify-3",
        id: 7001,
        url: "https://github.com/acme/widgets/runs/7001",
      },
    ]);

    const output = renderVerdictOutput({
      stage: 2,
      run: "verify-3",
      verdict: "blocked",
      reasons: ["blocker V1-F-1 (full-consensus): problem 1"],
      findings: checkRunFindings(findings(120), 2),
      skippedWorkers: [],
      reportUrl: "https://github.com/acme/widgets/blob/okstra/ledger/tasks/12/runs/verify-3/report.md",
    });
    await runs.complete(2, "failure", output);

    const [create, ...updates] = bodies;
    expect(create).toMatchObject({
      name: "okstra / stage 2",
      head_sha: HEAD,
      status: "in_progress",
      external_id: "12/2/verify-3",
      actions: [{ label: "Re-verify", description: "Verify this stage again", identifier: "reverify" }],
      output: { title: "Verifying stage 2" },
    });
    expect(create!.output!.annotations).toBeUndefined();

    // Three requests carry annotations: 50, 50 and 20, in order; the first one completes the run.
    expect(updates.map((u) => u.output?.annotations?.length)).toEqual([50, 50, 20]);
    expect(updates[0]).toMatchObject({
      status: "completed",
      conclusion: "failure",
      actions: [{ identifier: "reverify" }],
    });
    const annotations = updates.flatMap((u) => u.output!.annotations!);
    expect(annotations.map((a) => `${a.path}:${a.start_line}`)).toEqual(
      Array.from({ length: 120 }, (_, i) => `src/file-${i + 1}.js:${i + 1}`),
    );
    expect(annotations.slice(0, 4).map((a) => a.annotation_level)).toEqual(["failure", "failure", "warning", "notice"]);
    expect(annotations[0]).toMatchObject({
      end_line: 1,
      title: "V1-F-1 · blocker · full-consensus",
      message: expect.stringContaining("reviewers: AGREE 2"),
    });
    // Every request restates title and summary, and the summary carries the findings table.
    for (const update of updates)
      expect(update.output).toMatchObject({
        title: "⛔ Blocked · 120 findings",
        summary: expect.stringContaining("| severity | finding | class | answers | where |"),
      });
    expect(updates[0]!.output!.summary).toContain(
      "| blocker | **V1-F-1** problem 1 | full-consensus | AGREE 2 | `src/file-1.js:1` |",
    );
  });

  it("keeps going when GitHub refuses the check run, and says why — without a credential the error quoted", async () => {
    const token = "ghs_leakedinstallationtoken0000000000000";
    httpMock()
      .post(`${API_REPO}/check-runs`)
      .reply(422, { message: `No commit found for SHA: cccc (request sent with authorization: token ${token})` });
    const runs = new StageCheckRuns(githubPlatform(), 12, "verify-3", pino({ level: "silent" }));
    await runs.start([
      { stage: 2, headSha: HEAD, output: renderVerifyingOutput({ stage: 2, run: "verify-3", verifiers: 2 }) },
    ]);
    await runs.complete(2, "success", { title: "Accepted", summary: "ok" });
    expect(runs.all[0]!.error).toMatch(/^the check run could not be created: No commit found for SHA/);
    expect(runs.all[0]!.error).not.toContain(token);
  });
});
