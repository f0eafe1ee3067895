import { findMutatingToken } from "../../../config/deny-list.js";
import type { Plan } from "../../../plan/plan-schema.js";
import type { Violation } from "./violation.js";

/**
 * S6: every stage says how to prove it (`validation.post` non-empty) and every
 * pre/mid/post command is read-only (SPEC §3 deny-list): okstra runs them on
 * the stage branch, and a `--fix` there would change the code it is judging.
 *
 * Step `command`s are not checked: a step may legitimately install a
 * dependency or regenerate a file — that is implementation, not validation.
 */
export function checkValidationCommands(plan: Plan): Violation[] {
  const out: Violation[] = [];
  for (const stage of plan.stages) {
    if (stage.validation.post.length === 0) {
      out.push({
        check: "S6",
        stage: stage.number,
        message: "validation.post is empty",
        hint: "add a read-only command that proves the stage works, e.g. `node --test`",
      });
    }
    for (const phase of ["pre", "mid", "post"] as const) {
      stage.validation[phase].forEach((command, i) => {
        const where = `validation.${phase}[${i}]`;
        if (command.trim() === "") {
          out.push({
            check: "S6",
            stage: stage.number,
            message: `${where} is empty`,
            hint: "remove it or write the command",
          });
          return;
        }
        const token = findMutatingToken(command);
        if (token) {
          out.push({
            check: "S6",
            stage: stage.number,
            message: `${where} \`${command}\` contains the mutating token \`${token}\``,
            hint: `use the read-only form of the command (without \`${token}\`); validation must not change the repository`,
          });
        }
      });
    }
  }
  return out;
}
