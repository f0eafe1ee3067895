import type { Clarification, Dissent, GateResult, Plan } from "../../plan/plan-schema.js";

/**
 * Plan-body verification (SPEC §5.1 step 5), as a pure function: every
 * analyser has reviewed every plan item; this decides the gate.
 *
 * - `aborted-non-result`: fewer reviewers answered than the gate needs
 *   (two, or every configured reviewer when fewer are configured);
 * - `blocked-by-disagreement`: some item has a majority of evidence-backed
 *   DISAGREE among those who answered → one clarification `C-n` per item,
 *   blocking approval;
 * - `passed-with-dissent`: minority DISAGREEs (kept in the dissent log);
 * - `passed`: no DISAGREE at all.
 * A DISAGREE without evidence is kept as dissent but never counts toward a
 * majority: the burden of proof is on the objection.
 */

export interface ReviewerAnswers {
  reviewer: string;
  reviews: Array<{ item: string; verdict: "AGREE" | "DISAGREE" | "SUPPLEMENT"; evidence: string }>;
}

export interface GateOutcome {
  result: Exclude<GateResult, "not-run">;
  answered: number;
  required: number;
  blockedItems: string[];
  dissent: Dissent[];
  supplements: Dissent[];
  clarifications: Clarification[];
}

/** Every reviewable item of a plan: `P-<stage>.<step>` and `P-<stage>.exit`. */
export function planItems(plan: Plan): string[] {
  return plan.stages.flatMap((stage) => [
    ...stage.steps.map((step) => `P-${stage.number}.${step.n}`),
    `P-${stage.number}.exit`,
  ]);
}

export function computeGate(plan: Plan, answers: ReviewerAnswers[], configuredReviewers: number): GateOutcome {
  const required = Math.min(2, configuredReviewers);
  const answered = answers.length;
  const base = { answered, required, blockedItems: [], dissent: [], supplements: [], clarifications: [] };
  if (answered < required || answered === 0) return { ...base, result: "aborted-non-result" };

  const dissent: Dissent[] = [];
  const supplements: Dissent[] = [];
  const blockedItems: string[] = [];
  const clarifications: Clarification[] = [];
  const firstFreeId = nextClarificationNumber(plan);

  for (const item of planItems(plan)) {
    const objections: Array<{ reviewer: string; evidence: string }> = [];
    for (const answer of answers) {
      for (const review of answer.reviews.filter((r) => r.item === item)) {
        const entry = { item, worker: answer.reviewer, evidence: review.evidence.trim() || "(no evidence given)" };
        if (review.verdict === "DISAGREE") {
          dissent.push({ ...entry, stance: "DISAGREE" });
          if (review.evidence.trim()) objections.push({ reviewer: answer.reviewer, evidence: review.evidence.trim() });
        } else if (review.verdict === "SUPPLEMENT") {
          supplements.push({ ...entry, stance: "SUPPLEMENT" });
        }
      }
    }
    if (objections.length * 2 > answered) {
      blockedItems.push(item);
      clarifications.push({
        id: `C-${firstFreeId + clarifications.length}`,
        statement: `${objections.length} of ${answered} reviewers disagree with ${item} (${describeItem(plan, item)}).`,
        evidenceChecked: objections.map((o) => `${o.reviewer}: ${o.evidence}`).join(" | "),
        expectedForm: "A maintainer's answer in a comment, then `/okstra replan` so the plan takes it into account.",
        recommendedAnswer: `Decide whether ${item} stands as written; if the reviewers are right, say how it should change.`,
        blocks: "approval",
      });
    }
  }
  const blocked = new Set(blockedItems);
  const minority = dissent.filter((d) => !blocked.has(d.item));
  const result =
    blockedItems.length > 0 ? "blocked-by-disagreement" : dissent.length > 0 ? "passed-with-dissent" : "passed";
  return { ...base, result, blockedItems, dissent: minority, supplements, clarifications };
}

function nextClarificationNumber(plan: Plan): number {
  const used = plan.clarifications.map((c) => Number(c.id.slice(2))).filter(Number.isFinite);
  return used.length === 0 ? 1 : Math.max(...used) + 1;
}

function describeItem(plan: Plan, item: string): string {
  const match = /^P-(\d+)\.(\d+|exit)$/.exec(item);
  const stage = plan.stages.find((s) => s.number === Number(match?.[1]));
  if (!stage || !match) return item;
  if (match[2] === "exit") return `the exit contract of stage ${stage.number}, ${stage.title}`;
  const step = stage.steps.find((s) => s.n === Number(match[2]));
  return step ? `stage ${stage.number} step ${step.n}: ${step.action}` : item;
}
