import type { Violation } from "./violation.js";
import { findCycles, type StageGraph } from "./stage-graph.js";

/** S4: the dependency graph is a DAG; each cycle is reported as the chain that closes it. */
export function checkAcyclic(graph: StageGraph): Violation[] {
  return findCycles(graph).map((cycle) => ({
    check: "S4",
    stage: cycle[0],
    message: `dependsOn forms a cycle ${cycle.join(" → ")}`,
    hint: "remove the dependsOn link that does not carry real data from one stage to the next",
  }));
}
