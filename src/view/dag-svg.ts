import { layoutDag, NODE, type DagLayout, type LayoutNode } from "./dag-layout.js";
import { escapeHtml } from "./escape.js";
import { STAGE_STATUS_LABEL } from "./stage-status.js";
import type { ViewStage } from "./view-data.js";

/**
 * The plan's stage DAG as inline SVG: one box per stage (number, title, step
 * count, coloured by state via CSS classes in page-styles.ts) and one arrow
 * per `dependsOn`, from the dependency down to the stage that needs it. Drawn
 * here rather than with Mermaid because the page must load nothing.
 */

const TITLE_CHARS = 30;

export function renderDagSvg(stages: readonly ViewStage[]): string {
  if (stages.length === 0) return `<p class="muted">The plan has no stages.</p>`;
  const layout = layoutDag(stages);
  const byNumber = new Map(stages.map((s) => [s.number, s]));
  const label = `Stage DAG: ${stages.length} stages, ${layout.edges.length} dependencies`;
  return [
    `<svg class="dag" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escapeHtml(label)}" viewBox="0 0 ${layout.width} ${layout.height}" width="${layout.width}" height="${layout.height}">`,
    `<defs><marker id="dag-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="dag-arrowhead"/></marker></defs>`,
    ...edgePaths(layout),
    ...layout.nodes.map((node) => nodeGroup(byNumber.get(node.number)!, node.x, node.y)),
    `</svg>`,
  ].join("\n");
}

/** Arrows leave and enter spread along the boxes' edges, so that two arrows into one stage stay apart. */
function edgePaths(layout: DagLayout): string[] {
  const at = new Map(layout.nodes.map((n) => [n.number, n]));
  const x = (n: number) => at.get(n)!.x;
  const slot = (list: number[], n: number) => (NODE.width * (list.indexOf(n) + 1)) / (list.length + 1);
  const outgoing = (from: number) =>
    layout.edges
      .filter((e) => e.from === from)
      .map((e) => e.to)
      .sort((a, b) => x(a) - x(b));
  const incoming = (to: number) =>
    layout.edges
      .filter((e) => e.to === to)
      .map((e) => e.from)
      .sort((a, b) => x(a) - x(b));
  // Arrows sharing a lane are drawn side by side, each a little further out.
  const laneUse = new Map<number, number>();
  return layout.edges.map(({ from, to }) => {
    const a = at.get(from)!;
    const b = at.get(to)!;
    const start = { x: a.x + slot(outgoing(from), to), y: a.y + NODE.height };
    const end = { x: b.x + slot(incoming(to), from), y: b.y - 2 };
    let lane = detourLane(layout, a, b, start.x, end.x);
    if (lane !== null) {
      const used = laneUse.get(lane.x) ?? 0;
      laneUse.set(lane.x, used + 1);
      lane = { ...lane, x: lane.x + lane.outward * Math.min(used * 5, NODE.gapX / 2 - 4) };
    }
    const d = edgeRoute(start, end, lane?.x ?? null);
    return `<path class="dag-edge" data-from="${from}" data-to="${to}" d="${d}" marker-end="url(#dag-arrow)"/>`;
  });
}

type Point = { x: number; y: number };

function edgeRoute(start: Point, end: Point, lane: number | null): string {
  const bend = NODE.gapY / 2;
  if (lane === null) {
    const half = Math.min(48, (end.y - start.y) / 2);
    return `M${start.x},${start.y} C${start.x},${start.y + half} ${end.x},${end.y - half} ${end.x},${end.y}`;
  }
  // Down into the gap below the source, along the lane past the layers in between, then into the target.
  return [
    `M${start.x},${start.y}`,
    `C${start.x},${start.y + bend} ${lane},${start.y + bend} ${lane},${start.y + NODE.gapY}`,
    `L${lane},${end.y - NODE.gapY}`,
    `C${lane},${end.y - bend} ${end.x},${end.y - bend} ${end.x},${end.y}`,
  ].join(" ");
}

/**
 * An arrow that skips layers would cut through the boxes in between; when one
 * is in its way it runs down a lane beside them instead, on the nearer side.
 */
function detourLane(
  layout: DagLayout,
  a: LayoutNode,
  b: LayoutNode,
  x1: number,
  x2: number,
): { x: number; outward: 1 | -1 } | null {
  const between = layout.nodes.filter((n) => n.layer > a.layer && n.layer < b.layer);
  const [low, high] = [Math.min(x1, x2) - 8, Math.max(x1, x2) + 8];
  if (!between.some((n) => n.x < high && n.x + NODE.width > low)) return null;
  const left = Math.min(...between.map((n) => n.x)) - NODE.gapX / 2;
  const right = Math.max(...between.map((n) => n.x + NODE.width)) + NODE.gapX / 2;
  const middle = (x1 + x2) / 2;
  return middle - left <= right - middle ? { x: left, outward: -1 } : { x: right, outward: 1 };
}

function nodeGroup(stage: ViewStage, x: number, y: number): string {
  const status = STAGE_STATUS_LABEL[stage.status];
  const title = stage.title.length > TITLE_CHARS ? `${stage.title.slice(0, TITLE_CHARS - 1)}…` : stage.title;
  const steps = `${stage.steps} step${stage.steps === 1 ? "" : "s"}`;
  const tooltip = [`Stage ${stage.number} · ${stage.title}`, `${steps} · ${status}`, stage.note]
    .filter(Boolean)
    .join("\n");
  return [
    `<g class="dag-node status-${stage.status}" data-stage="${stage.number}" transform="translate(${x},${y})">`,
    `<title>${escapeHtml(tooltip)}</title>`,
    `<rect width="${NODE.width}" height="${NODE.height}" rx="8" ry="8"/>`,
    `<text x="12" y="23" class="dag-title"><tspan class="dag-number">${stage.number}</tspan> · ${escapeHtml(title)}</text>`,
    `<text x="12" y="44" class="dag-meta">${escapeHtml(`${steps} · ${status}`)}</text>`,
    `</g>`,
  ].join("");
}
