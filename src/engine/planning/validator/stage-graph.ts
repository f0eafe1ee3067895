import type { PlanStage } from "../../../plan/plan-schema.js";

/**
 * The stage DAG as the validator sees it: only edges to stages that exist
 * and are not self-references (S3 reports those), so the graph checks never
 * trip over a dangling number.
 */
export interface StageGraph {
  numbers: number[];
  /** stage → the stages it depends on. */
  dependsOn: Map<number, number[]>;
}

export function buildStageGraph(stages: readonly PlanStage[]): StageGraph {
  const numbers = [...new Set(stages.map((s) => s.number))].sort((a, b) => a - b);
  const known = new Set(numbers);
  const dependsOn = new Map<number, number[]>();
  for (const stage of stages) {
    const deps = stage.dependsOn.filter((d) => known.has(d) && d !== stage.number);
    dependsOn.set(stage.number, [...new Set([...(dependsOn.get(stage.number) ?? []), ...deps])]);
  }
  return { numbers, dependsOn };
}

/**
 * One cycle per strongly connected component (Tarjan), each written in
 * dependency order and closed, e.g. `[2, 3, 2]` for "2 depends on 3 depends
 * on 2". One per component is enough to act on: breaking it changes the rest.
 */
export function findCycles(graph: StageGraph): number[][] {
  return stronglyConnected(graph)
    .filter((component) => component.length > 1)
    .map((component) => cycleWithin(graph, new Set(component)));
}

function stronglyConnected(graph: StageGraph): number[][] {
  const index = new Map<number, number>();
  const low = new Map<number, number>();
  const onStack = new Set<number>();
  const stack: number[] = [];
  const components: number[][] = [];
  let next = 0;
  const visit = (v: number): void => {
    index.set(v, next);
    low.set(v, next);
    next += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.dependsOn.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: number[] = [];
      let w: number;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      components.push(component.sort((a, b) => a - b));
    }
  };
  // Recursion depth is bounded by the stage count, which S1 keeps small.
  for (const v of graph.numbers) if (!index.has(v)) visit(v);
  return components.sort((a, b) => a[0] - b[0]);
}

/** A shortest cycle through the component's smallest stage, found by BFS inside the component. */
function cycleWithin(graph: StageGraph, component: Set<number>): number[] {
  const start = Math.min(...component);
  const parent = new Map<number, number>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of graph.dependsOn.get(v) ?? []) {
      if (!component.has(w)) continue;
      if (w === start) {
        const path = [v];
        while (path[0] !== start) path.unshift(parent.get(path[0])!);
        return [...path, start];
      }
      if (!parent.has(w)) {
        parent.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

/** For each stage, every stage it depends on directly or transitively. */
export function ancestors(graph: StageGraph): Map<number, Set<number>> {
  const result = new Map<number, Set<number>>();
  for (const v of graph.numbers) {
    const seen = new Set<number>();
    const todo = [...(graph.dependsOn.get(v) ?? [])];
    while (todo.length > 0) {
      const w = todo.pop()!;
      if (seen.has(w)) continue;
      seen.add(w);
      todo.push(...(graph.dependsOn.get(w) ?? []));
    }
    result.set(v, seen);
  }
  return result;
}

/**
 * Pairs of stages with no path between them in either direction: the stages
 * that a ready-set batch may run at the same time.
 */
export function independentPairs(graph: StageGraph): Array<[number, number]> {
  const up = ancestors(graph);
  const pairs: Array<[number, number]> = [];
  for (const [i, a] of graph.numbers.entries()) {
    for (const b of graph.numbers.slice(i + 1)) {
      if (!up.get(a)!.has(b) && !up.get(b)!.has(a)) pairs.push([a, b]);
    }
  }
  return pairs;
}
