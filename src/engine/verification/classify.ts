/**
 * Classification of a finding from its reviewers' answers (SPEC §9.3), pure.
 *
 * Each reviewer's *standing* answer — its latest — is weighed:
 * - `AGREE` and `SUPPLEMENT` agree (a supplement says the claim is true, and more);
 * - `DISAGREE` with evidence contests;
 * - `DISAGREE` without evidence is *unbacked*: it is an answer (so the
 *   reviewers did not all agree) but it is not a vote — it can neither
 *   contest the finding nor outvote the reviewers who agree.
 * A reviewer that failed, timed out or left the finding out of its answer
 * has no answer at all: it is never counted as disagreeing.
 *
 * Then, in this order:
 * - `contested`          — any evidence-backed DISAGREE;
 * - `worker-unique`      — no other reviewer could assess it, meaning none agreed:
 *                          every other verifier failed or timed out, left it out,
 *                          or disagreed without evidence — or there is no other verifier;
 * - `full-consensus`     — every answering reviewer agrees;
 * - `partial-consensus`  — some agree and the rest disagree without evidence: the
 *                          agreeing reviewers are the majority of the counted votes,
 *                          and nothing contests the finding.
 */

export const CLASSIFICATIONS = ["full-consensus", "partial-consensus", "contested", "worker-unique"] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

export type ReviewVerdict = "AGREE" | "DISAGREE" | "SUPPLEMENT";

/** One reviewer's answer on one finding in one round. */
export interface ReviewAnswer {
  /** The verifier that answered, by its label. */
  reviewer: string;
  round: number;
  verdict: ReviewVerdict;
  evidence: string;
  note?: string;
}

export type AnswerWeight = "agrees" | "contests" | "unbacked";

export function weighAnswer(answer: Pick<ReviewAnswer, "verdict" | "evidence">): AnswerWeight {
  if (answer.verdict !== "DISAGREE") return "agrees";
  return answer.evidence.trim() === "" ? "unbacked" : "contests";
}

/** Whether the answer settles the reviewer's view: an unbacked DISAGREE is asked again in the next round. */
export function isCounted(answer: Pick<ReviewAnswer, "verdict" | "evidence"> | undefined): boolean {
  return answer !== undefined && weighAnswer(answer) !== "unbacked";
}

/** Each reviewer's latest answer (answers are given oldest first). */
export function standingAnswers(answers: readonly ReviewAnswer[]): Map<string, ReviewAnswer> {
  const standing = new Map<string, ReviewAnswer>();
  for (const answer of answers) {
    const current = standing.get(answer.reviewer);
    if (!current || current.round <= answer.round) standing.set(answer.reviewer, answer);
  }
  return standing;
}

export function classifyFinding(standing: Iterable<Pick<ReviewAnswer, "verdict" | "evidence">>): Classification {
  const weights = [...standing].map(weighAnswer);
  if (weights.includes("contests")) return "contested";
  if (!weights.includes("agrees")) return "worker-unique";
  return weights.includes("unbacked") ? "partial-consensus" : "full-consensus";
}

/**
 * A finding is settled — it leaves the convergence queue — when more answers
 * can no longer change its class: it is contested, or every reviewer still
 * able to answer has given a counted answer. `reviewers` are the live
 * verifiers other than the finding's author.
 */
export function isSettled(
  standing: ReadonlyMap<string, Pick<ReviewAnswer, "verdict" | "evidence">>,
  reviewers: readonly string[],
): boolean {
  if (classifyFinding(standing.values()) === "contested") return true;
  return reviewers.every((reviewer) => isCounted(standing.get(reviewer)));
}
