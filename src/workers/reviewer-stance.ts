/**
 * The `{{stance}}` of prompts/verification-reviewer.md, from
 * `verification.adversarial` (SPEC §9.2: in adversarial mode reviewers try to
 * refute and the burden of proof is on the claim).
 */
export function reviewerStance(adversarial: boolean): string {
  return adversarial
    ? "You review adversarially: try to refute every finding. The burden of proof is on the claim — if its evidence does not show the problem, DISAGREE and cite what the code actually does. Agree only with what the evidence proves."
    : "Judge each finding on its merits: AGREE when its evidence shows the problem, DISAGREE when you can show that it does not.";
}
