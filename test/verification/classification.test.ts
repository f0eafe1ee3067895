import { describe, expect, it } from "@jest/globals";
import { classifyFinding } from "../../src/engine/verification/classify.js";
import {
  converge,
  type ConvergenceFinding,
  type ReviewOutcome,
  type ReviewPort,
} from "../../src/engine/verification/converge.js";
import { reviewerResultSchema } from "../../src/workers/results.js";

/**
 * Three verifiers A, B and C; A reports the finding, B and C review it. A
 * reviewer's script gives its answer per round (the last one repeats):
 * agree | supplement | disagree (with evidence) | bare (DISAGREE without
 * evidence) | omit (leaves the finding out) | timeout | fail.
 */
type Script = "agree" | "supplement" | "disagree" | "bare" | "omit" | "timeout" | "fail";

function finding(id: string, author: string, stage = 1): ConvergenceFinding {
  return {
    id,
    sourceId: id.split("-").slice(1).join("-"),
    author,
    stage,
    claim: `claim of ${id}`,
    evidence: [{ path: "src/a.js", line: 3, quote: "x" }],
    severity: "major",
    category: "correctness",
  };
}

/** A ReviewPort whose answers are scripted per reviewer and finding; it records every call it gets. */
function scriptedReviewers(scripts: Record<string, Record<string, Script[]>>) {
  const calls: Array<{ reviewer: string; round: number; findings: string[] }> = [];
  const reminders: Array<{ reviewer: string; round: number; previous: string[] }> = [];
  const review: ReviewPort = async ({ reviewer, round, findings, previous }) => {
    calls.push({ reviewer, round, findings: findings.map((f) => f.id) });
    reminders.push({ reviewer, round, previous: previous.map((p) => `${p.findingId} r${p.round} ${p.verdict}`) });
    const answers = [];
    for (const f of findings) {
      const steps = scripts[reviewer]?.[f.id] ?? ["agree"];
      const step = steps[Math.min(round, steps.length) - 1]!;
      if (step === "timeout" || step === "fail")
        return {
          status: step === "timeout" ? "timeout" : "failed",
          reason: `${reviewer} ${step}`,
        } satisfies ReviewOutcome;
      if (step === "omit") continue;
      const verdict = step === "agree" ? "AGREE" : step === "supplement" ? "SUPPLEMENT" : "DISAGREE";
      answers.push({
        findingId: f.id,
        verdict,
        evidence:
          step === "disagree"
            ? "src/a.js:3 is guarded by the check on line 2"
            : step === "supplement"
              ? "src/b.js:9 has the same problem"
              : "",
      } as const);
    }
    return { status: "ok", answers };
  };
  return { review, calls, reminders };
}

async function classifyOne(b: Script[], c: Script[]) {
  const { review, calls } = scriptedReviewers({ B: { "A-F-1": b }, C: { "A-F-1": c } });
  const result = await converge({
    findings: [finding("A-F-1", "A")],
    reviewers: ["A", "B", "C"],
    maxRounds: 2,
    review,
  });
  return { ...result, finding: result.findings[0]!, calls };
}

describe("classification of a finding by the two other verifiers' answers", () => {
  it.each<[string, Script[], Script[]]>([
    ["both agree", ["agree"], ["agree"]],
    ["one agrees, one supplements", ["agree"], ["supplement"]],
    ["both supplement", ["supplement"], ["supplement"]],
    ["one agrees and the other times out (a timeout is not a DISAGREE)", ["agree"], ["timeout"]],
    ["one agrees and the other fails", ["agree"], ["fail"]],
    ["one agrees and the other leaves it out in every round", ["agree"], ["omit"]],
    ["an unbacked DISAGREE turned into AGREE in round 2", ["agree"], ["bare", "agree"]],
  ])("full-consensus: %s", async (_, b, c) => {
    expect((await classifyOne(b, c)).finding.classification).toBe("full-consensus");
  });

  it.each<[string, Script[], Script[]]>([
    ["one agrees, one DISAGREEs without evidence (it does not contest)", ["agree"], ["bare"]],
    ["one supplements, one DISAGREEs without evidence", ["supplement"], ["bare"]],
  ])("partial-consensus: %s", async (_, b, c) => {
    expect((await classifyOne(b, c)).finding.classification).toBe("partial-consensus");
  });

  it.each<[string, Script[], Script[]]>([
    ["one DISAGREEs with evidence, one agrees", ["disagree"], ["agree"]],
    ["one DISAGREEs with evidence, one without", ["disagree"], ["bare"]],
    ["one DISAGREEs with evidence, the other times out", ["disagree"], ["timeout"]],
    ["both DISAGREE with evidence", ["disagree"], ["disagree"]],
    ["an unbacked DISAGREE backed with evidence in round 2", ["agree"], ["bare", "disagree"]],
  ])("contested: %s", async (_, b, c) => {
    expect((await classifyOne(b, c)).finding.classification).toBe("contested");
  });

  it.each<[string, Script[], Script[]]>([
    ["both time out", ["timeout"], ["timeout"]],
    ["one fails, one times out", ["fail"], ["timeout"]],
    ["both DISAGREE without evidence", ["bare"], ["bare"]],
    ["one DISAGREEs without evidence, the other times out", ["bare"], ["timeout"]],
    ["both leave it out", ["omit"], ["omit"]],
  ])("worker-unique: %s", async (_, b, c) => {
    expect((await classifyOne(b, c)).finding.classification).toBe("worker-unique");
  });

  it("worker-unique: no other verifier to ask, and no call is made", async () => {
    const { review, calls } = scriptedReviewers({});
    const result = await converge({ findings: [finding("A-F-1", "A")], reviewers: ["A"], maxRounds: 2, review });
    expect(result.findings[0]).toMatchObject({ classification: "worker-unique", classifiedInRound: 0, answers: [] });
    expect(calls).toEqual([]);
  });

  it("lists a reviewer that timed out as a verification-error in skippedWorkers, never as an answer", async () => {
    const { finding: f, skippedWorkers, calls } = await classifyOne(["agree"], ["timeout"]);
    expect(skippedWorkers).toEqual([
      {
        worker: "C",
        role: "reviewer",
        round: 1,
        status: "timeout",
        reason: "C timeout",
        classification: "verification-error",
      },
    ]);
    expect(f.answers.map((a) => [a.reviewer, a.verdict])).toEqual([["B", "AGREE"]]);
    // Settled after round 1: the reviewer that timed out is not asked again.
    expect(f.classifiedInRound).toBe(1);
    expect(calls.map((c) => [c.reviewer, c.round])).toEqual([
      ["B", 1],
      ["C", 1],
    ]);
  });

  it("asks a reviewer that DISAGREEd without evidence again in round 2, and only it", async () => {
    const { calls, finding: f } = await classifyOne(["agree"], ["bare"]);
    expect(calls.map((c) => [c.reviewer, c.round])).toEqual([
      ["B", 1],
      ["C", 1],
      ["C", 2],
    ]);
    expect(f.classifiedInRound).toBe(2);
  });

  it("classifies from standing answers alone: the latest answer of each reviewer counts", () => {
    expect(
      classifyFinding([
        { verdict: "AGREE", evidence: "" },
        { verdict: "DISAGREE", evidence: "  " },
      ]),
    ).toBe("partial-consensus");
    expect(classifyFinding([{ verdict: "DISAGREE", evidence: "" }])).toBe("worker-unique");
    expect(classifyFinding([])).toBe("worker-unique");
  });

  it("accepts a reviewer's DISAGREE without evidence as a valid answer rather than a contract violation", () => {
    expect(
      reviewerResultSchema.safeParse({ answers: [{ findingId: "V1-F-1", verdict: "DISAGREE", evidence: "" }] }).success,
    ).toBe(true);
  });
});

describe("convergence rounds", () => {
  it("prunes the queue: a finding classified in round 1 is not sent again in round 2", async () => {
    // A reports F-1, B reports F-2. F-1 is agreed by B and C in round 1; C answers F-2 without evidence, so only F-2 goes to C again.
    const { review, calls, reminders } = scriptedReviewers({
      B: { "A-F-1": ["agree"] },
      C: { "A-F-1": ["agree"], "B-F-2": ["bare", "agree"] },
      A: { "B-F-2": ["agree"] },
    });
    const result = await converge({
      findings: [finding("A-F-1", "A"), finding("B-F-2", "B")],
      reviewers: ["A", "B", "C"],
      maxRounds: 2,
      review,
    });

    expect(result.rounds).toEqual([
      {
        round: 1,
        requests: [
          { reviewer: "A", findings: ["B-F-2"], status: "ok" },
          { reviewer: "B", findings: ["A-F-1"], status: "ok" },
          { reviewer: "C", findings: ["A-F-1", "B-F-2"], status: "ok" },
        ],
      },
      { round: 2, requests: [{ reviewer: "C", findings: ["B-F-2"], status: "ok" }] },
    ]);
    expect(calls.filter((c) => c.round === 2).flatMap((c) => c.findings)).not.toContain("A-F-1");
    // C is reminded that its round-1 answer did not count.
    expect(reminders.filter((r) => r.round === 2)).toEqual([
      { reviewer: "C", round: 2, previous: ["B-F-2 r1 DISAGREE"] },
    ]);
    expect(result.findings.map((f) => [f.id, f.classification, f.classifiedInRound])).toEqual([
      ["A-F-1", "full-consensus", 1],
      ["B-F-2", "full-consensus", 2],
    ]);
  });

  it("makes one call per reviewer per round for every finding open to it, never one per finding", async () => {
    const findings = [
      finding("A-F-1", "A", 1),
      finding("A-F-2", "A", 2),
      finding("A-F-3", "A", 3),
      finding("B-F-1", "B", 2),
    ];
    const { review, calls } = scriptedReviewers({});
    await converge({ findings, reviewers: ["A", "B", "C"], maxRounds: 2, review });
    expect(calls).toEqual([
      { reviewer: "A", round: 1, findings: ["B-F-1"] },
      { reviewer: "B", round: 1, findings: ["A-F-1", "A-F-2", "A-F-3"] },
      { reviewer: "C", round: 1, findings: ["A-F-1", "A-F-2", "A-F-3", "B-F-1"] },
    ]);
  });

  it("stops at maxRounds and classifies what is still open with the answers given", async () => {
    const { review, calls } = scriptedReviewers({ B: { "A-F-1": ["agree"] }, C: { "A-F-1": ["bare"] } });
    const result = await converge({
      findings: [finding("A-F-1", "A")],
      reviewers: ["A", "B", "C"],
      maxRounds: 1,
      review,
    });
    expect(calls).toHaveLength(2);
    expect(result.findings[0]).toMatchObject({ classification: "partial-consensus", classifiedInRound: 1 });
  });

  it("ignores answers about findings the reviewer was not sent, its own included", async () => {
    const review: ReviewPort = async ({ reviewer }) => ({
      status: "ok",
      answers: [
        {
          findingId: "A-F-1",
          verdict: reviewer === "A" ? "DISAGREE" : "AGREE",
          evidence: reviewer === "A" ? "src/a.js:1 says otherwise" : "",
        },
        { findingId: "Z-F-9", verdict: "DISAGREE", evidence: "src/z.js:1" },
      ],
    });
    const result = await converge({
      findings: [finding("A-F-1", "A")],
      reviewers: ["A", "B", "C"],
      maxRounds: 2,
      review,
    });
    expect(result.findings[0]!.classification).toBe("full-consensus");
    expect(result.findings[0]!.answers.map((a) => a.reviewer)).toEqual(["B", "C"]);
  });
});
