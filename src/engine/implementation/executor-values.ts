import type { PlanStage } from "../../plan/plan-schema.js";
import type { StageRun } from "./execute-stage.js";

/** The values of the executor's prompt template for one stage. */
export function executorValues(run: StageRun, stage: PlanStage, branch: string, guidance: string) {
  const list = (items: string[]) => (items.length ? items.map((i) => `- ${i}`).join("\n") : "(none)");
  return {
    taskKey: run.taskKey,
    issue: { title: run.task.meta.title },
    branch,
    guidance: guidance || "(none)",
    conventions: [
      "Commit messages follow Conventional Commits (`test(scope): …`, `feat(scope): …`, `fix(scope): …`, `refactor(scope): …`).",
      "TDD: first commit a failing test (`test(...)`), then the implementation (`feat|fix(...)`), then an optional `refactor(...)`.",
      "Never commit anything under `.okstra/`. No TODO/FIXME/TBD/XXX/placeholder in added lines unless listed in your notes as `justified: path:line — why`.",
      `okstra itself runs these after you: ${[...stage.validation.post, ...Object.values(run.context.config.qaCommands)].map((c) => `\`${c}\``).join(", ") || "(none)"}.`,
    ].join("\n"),
    carryIn: run.carryInText(stage),
    stage: {
      number: stage.number,
      title: stage.title,
      sliceValue: stage.sliceValue,
      acceptance: list(stage.acceptance),
      steps: stage.steps
        .map(
          (s) =>
            `${s.n}. ${s.action} — files: ${s.files.join(", ") || "(none)"}${s.command ? ` — run \`${s.command}\`` : ""} — expect: ${s.expected}`,
        )
        .join("\n"),
      exitContract: `files: ${stage.exitContract.files.join(", ")}\nidentifiers: ${stage.exitContract.identifiers.join(", ") || "(none)"}\nresources: ${stage.exitContract.resources.join(", ") || "(none)"}`,
      validation: `pre: ${stage.validation.pre.join("; ") || "(none)"}\nmid: ${stage.validation.mid.join("; ") || "(none)"}\npost: ${stage.validation.post.join("; ")}`,
      tddExemption: stage.tddExemption ? `Exempt: ${stage.tddExemption}` : "(none: every behaviour is test-first)",
    },
  };
}
