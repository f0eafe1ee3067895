import type { Finding } from "../../workers/results.js";
import type { WorkerStatus } from "../../workers/types.js";
import {
  classifyFinding,
  isCounted,
  isSettled,
  standingAnswers,
  type Classification,
  type ReviewAnswer,
  type ReviewVerdict,
} from "./classify.js";

/**
 * Convergence (SPEC §9.2): every finding is replayed to the verifiers that did
 * not write it, for up to `maxRounds` rounds.
 * - Each round makes one call per reviewer, covering every finding still open
 *   for it — never one call per finding.
 * - A finding leaves the queue as soon as it is settled (`isSettled`), so a
 *   classified finding is never sent again; an open one is sent in the next
 *   round only to the reviewers that have not given it a counted answer (they
 *   left it out, or disagreed without evidence).
 * - A reviewer whose call fails or times out is a `verification-error`: it is
 *   listed in `skippedWorkers`, asked nothing more, and never counted as a
 *   DISAGREE.
 * What remains open after the last round is classified with the answers given.
 * The worker calls themselves are behind `ReviewPort`, so this is the whole
 * algorithm and the tests drive it with scripted answers.
 */

/** A finding as convergence sees it: its run-wide id, the id its author gave it and its author. */
export interface ConvergenceFinding extends Finding {
  sourceId: string;
  /** The verifier that reported it, by label. */
  author: string;
}

export interface ReviewerReply {
  findingId: string;
  verdict: ReviewVerdict;
  evidence: string;
  note?: string;
}

export type ReviewOutcome =
  | { status: "ok"; answers: ReviewerReply[] }
  | { status: Exclude<WorkerStatus, "ok">; reason?: string };

/** A reviewer's own earlier answer on a finding it is asked about again (it did not count). */
export type PreviousAnswer = ReviewAnswer & { findingId: string };

/** `previous` lets the reviewer be told why it is asked again. */
export type ReviewPort = (request: {
  reviewer: string;
  round: number;
  findings: ConvergenceFinding[];
  previous: PreviousAnswer[];
}) => Promise<ReviewOutcome>;

export interface SkippedWorker {
  worker: string;
  role: "verifier" | "reviewer";
  /** 0 for the independent review. */
  round: number;
  status: Exclude<WorkerStatus, "ok">;
  reason?: string;
  classification: "verification-error";
}

export interface ClassifiedFinding extends ConvergenceFinding {
  classification: Classification;
  /** The round after which it left the queue; 0 when no reviewer could be asked. */
  classifiedInRound: number;
  /** Every answer it got, oldest first. */
  answers: ReviewAnswer[];
}

export interface RoundRecord {
  round: number;
  requests: Array<{ reviewer: string; findings: string[]; status: WorkerStatus }>;
}

export interface ConvergenceResult {
  findings: ClassifiedFinding[];
  rounds: RoundRecord[];
  skippedWorkers: SkippedWorker[];
}

export async function converge(input: {
  findings: readonly ConvergenceFinding[];
  /** Verifiers able to review: those whose independent review succeeded. */
  reviewers: readonly string[];
  maxRounds: number;
  review: ReviewPort;
}): Promise<ConvergenceResult> {
  const live = new Set(input.reviewers);
  const answers = new Map<string, ReviewAnswer[]>(input.findings.map((f) => [f.id, []]));
  const open = new Map(input.findings.map((f) => [f.id, f]));
  const classified = new Map<string, ClassifiedFinding>();
  const rounds: RoundRecord[] = [];
  const skippedWorkers: SkippedWorker[] = [];

  const othersOf = (finding: ConvergenceFinding) => [...live].filter((reviewer) => reviewer !== finding.author);
  const standingOf = (finding: ConvergenceFinding) => standingAnswers(answers.get(finding.id)!);
  const classify = (finding: ConvergenceFinding, round: number) => {
    classified.set(finding.id, {
      ...finding,
      classification: classifyFinding(standingOf(finding).values()),
      classifiedInRound: round,
      answers: answers.get(finding.id)!,
    });
    open.delete(finding.id);
  };
  const settle = (round: number) => {
    for (const finding of [...open.values()])
      if (isSettled(standingOf(finding), othersOf(finding))) classify(finding, round);
  };

  settle(0);
  for (let round = 1; round <= input.maxRounds && open.size > 0; round++) {
    const batches = [...live]
      .map((reviewer) => ({
        reviewer,
        findings: [...open.values()].filter((f) => f.author !== reviewer && !isCounted(standingOf(f).get(reviewer))),
      }))
      .filter((batch) => batch.findings.length > 0);
    const outcomes = await Promise.all(
      batches.map((batch) => {
        const previous = batch.findings.flatMap((f) => {
          const answer = standingOf(f).get(batch.reviewer);
          return answer ? [{ ...answer, findingId: f.id }] : [];
        });
        return input.review({ reviewer: batch.reviewer, round, findings: batch.findings, previous });
      }),
    );
    const record: RoundRecord = { round, requests: [] };
    batches.forEach((batch, index) => {
      const outcome = outcomes[index]!;
      record.requests.push({
        reviewer: batch.reviewer,
        findings: batch.findings.map((f) => f.id),
        status: outcome.status,
      });
      if (outcome.status !== "ok") {
        live.delete(batch.reviewer);
        skippedWorkers.push({
          worker: batch.reviewer,
          role: "reviewer",
          round,
          status: outcome.status,
          reason: outcome.reason,
          classification: "verification-error",
        });
        return;
      }
      // Only answers about findings it was sent count; a reviewer cannot vote on its own findings or on settled ones.
      const asked = new Set(batch.findings.map((f) => f.id));
      for (const reply of outcome.answers) {
        if (!asked.has(reply.findingId)) continue;
        answers.get(reply.findingId)!.push({
          reviewer: batch.reviewer,
          round,
          verdict: reply.verdict,
          evidence: reply.evidence,
          ...(reply.note ? { note: reply.note } : {}),
        });
      }
    });
    rounds.push(record);
    settle(round);
  }
  const lastRound = rounds.at(-1)?.round ?? 0;
  for (const finding of [...open.values()]) classify(finding, lastRound);

  return { findings: input.findings.map((f) => classified.get(f.id)!), rounds, skippedWorkers };
}
