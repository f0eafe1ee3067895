import path from "node:path";
import { FIXTURES_DIR } from "../cli/sample-repository.js";

export const RECORDINGS_DIR = path.join(FIXTURES_DIR, "recordings");

/**
 * `.github/okstra.yml` for the offline demo: every worker is a `command`
 * worker replaying recorded model outputs from `fixtures/recordings/` — no
 * model API, no key. Paths are absolute because command workers run without
 * a shell, in the run's clone.
 */
export function recordedConfig(extra: string[] = []): string {
  const node = process.execPath;
  const plan = path.join(RECORDINGS_DIR, "inventory-csv");
  const verifier = path.join(RECORDINGS_DIR, "verifier-worker.mjs");
  const planner = (flags: string) =>
    `{ provider: command, command: "${node} ${path.join(RECORDINGS_DIR, "planning-worker.mjs")} --plan ${plan} ${flags}" }`;
  return [
    "# okstra's configuration for the demo: every worker replays a recording (fixtures/recordings/), no model is called.",
    "workers:",
    `  lead: ${planner("--lead bad-then-fixed")}`,
    "  analysers:",
    `    - ${planner("--draft full --review agree")}`,
    `    - ${planner("--draft merged --review agree")}`,
    // Implementations replay the recorded stages; a revise replays the recorded answer to the review (revise-worker.mjs).
    `  executor: { provider: command, command: "${node} ${path.join(RECORDINGS_DIR, "revise-worker.mjs")} --stages ${path.join(plan, "stages")} --revisions ${path.join(plan, "revisions")}" }`,
    `  pilot: { provider: command, command: "${node} ${path.join(RECORDINGS_DIR, "pilot-worker.mjs")} --decision retry" }`,
    // Verifier 1 reports the recorded findings; verifier 2 finds nothing itself. In convergence each
    // agrees with the other's findings except the two majors, which it refutes with evidence, so they
    // are contested and do not block: the stages are accepted and can be shipped.
    "  verifiers:",
    `    - { provider: command, command: "${node} ${verifier} --findings all --review agree;F-2=disagree;F-4=disagree" }`,
    `    - { provider: command, command: "${node} ${verifier} --findings none --review agree;F-2=disagree;F-4=disagree" }`,
    ...extra,
    "qaCommands:",
    "  test: npm test",
    "",
  ].join("\n");
}
