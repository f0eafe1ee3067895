/**
 * A layered layout of the stage DAG, top to bottom: a stage's layer is the
 * longest dependency path from a root, so every arrow points downwards.
 * Within a layer stages are ordered by the mean position of their
 * dependencies (one barycentre sweep), which untangles the usual plan shapes
 * without a general crossing minimiser.
 */

export interface LayoutInput {
  number: number;
  dependsOn: number[];
}

export interface LayoutNode {
  number: number;
  layer: number;
  x: number;
  y: number;
}

export interface LayoutEdge {
  from: number;
  to: number;
}

export interface DagLayout {
  nodes: LayoutNode[];
  edges: LayoutEdge[];
  width: number;
  height: number;
}

export const NODE = { width: 270, height: 58, gapX: 36, gapY: 56, margin: 24 } as const;

export function layoutDag(stages: readonly LayoutInput[]): DagLayout {
  const known = new Set(stages.map((s) => s.number));
  // A plan that failed validation may name a missing stage; such an edge has nowhere to go.
  const edges = stages.flatMap((s) =>
    [...new Set(s.dependsOn)].filter((d) => known.has(d) && d !== s.number).map((d) => ({ from: d, to: s.number })),
  );
  const layers = assignLayers(stages, known);
  const rows = orderWithinLayers(stages, layers, edges);
  const widest = Math.max(1, ...rows.map((row) => row.length));
  const width = NODE.margin * 2 + widest * NODE.width + (widest - 1) * NODE.gapX;
  const nodes = rows.flatMap((row, layer) => {
    const rowWidth = row.length * NODE.width + (row.length - 1) * NODE.gapX;
    const left = (width - rowWidth) / 2;
    return row.map((number, k) => ({
      number,
      layer,
      x: left + k * (NODE.width + NODE.gapX),
      y: NODE.margin + layer * (NODE.height + NODE.gapY),
    }));
  });
  const height = NODE.margin * 2 + rows.length * NODE.height + Math.max(0, rows.length - 1) * NODE.gapY;
  return { nodes, edges, width, height };
}

function assignLayers(stages: readonly LayoutInput[], known: Set<number>): Map<number, number> {
  const byNumber = new Map(stages.map((s) => [s.number, s]));
  const layer = new Map<number, number>();
  const visiting = new Set<number>();
  const depthOf = (n: number): number => {
    const cached = layer.get(n);
    if (cached !== undefined) return cached;
    // A cycle (again only in an invalid plan) is cut where it closes.
    if (visiting.has(n)) return -1;
    visiting.add(n);
    const deps = (byNumber.get(n)?.dependsOn ?? []).filter((d) => known.has(d) && d !== n);
    const depth = deps.length === 0 ? 0 : 1 + Math.max(...deps.map(depthOf));
    visiting.delete(n);
    layer.set(n, depth);
    return depth;
  };
  for (const s of stages) depthOf(s.number);
  return layer;
}

function orderWithinLayers(
  stages: readonly LayoutInput[],
  layers: Map<number, number>,
  edges: LayoutEdge[],
): number[][] {
  const rows: number[][] = [];
  for (const s of [...stages].sort((a, b) => a.number - b.number)) (rows[layers.get(s.number)!] ??= []).push(s.number);
  const position = new Map<number, number>();
  rows.forEach((row, r) => {
    if (r > 0) {
      const centre = (n: number) => {
        const parents = edges.filter((e) => e.to === n && position.has(e.from)).map((e) => position.get(e.from)!);
        return parents.length === 0 ? Number.POSITIVE_INFINITY : parents.reduce((a, b) => a + b, 0) / parents.length;
      };
      const keys = new Map(row.map((n) => [n, centre(n)]));
      row.sort((a, b) => keys.get(a)! - keys.get(b)! || a - b);
    }
    // Positions are normalised to the layer's centre so that layers of different widths compare.
    for (const [k, n] of row.entries()) position.set(n, k - (row.length - 1) / 2);
  });
  return rows.filter((row) => row !== undefined);
}
