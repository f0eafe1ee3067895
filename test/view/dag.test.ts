import { describe, expect, it } from "@jest/globals";
import { deriveStages } from "../../src/ledger/derive.js";
import type { LedgerRow } from "../../src/ledger/rows.js";
import { layoutDag, NODE } from "../../src/view/dag-layout.js";
import { renderDagSvg } from "../../src/view/dag-svg.js";
import { stageStatus } from "../../src/view/stage-status.js";
import type { ViewStage } from "../../src/view/view-data.js";

const stage = (number: number, dependsOn: number[], extra: Partial<ViewStage> = {}): ViewStage => ({
  number,
  title: `Stage ${number}`,
  steps: 2,
  dependsOn,
  status: "not-started",
  note: null,
  ...extra,
});

describe("layoutDag", () => {
  it("puts each stage on the layer of its longest dependency path, so every arrow points down", () => {
    // 1 → 2 → 4 and 1 → 4 directly: 4 sits below 2, not beside it.
    const layout = layoutDag([stage(1, []), stage(2, [1]), stage(3, []), stage(4, [1, 2])]);
    const layer = Object.fromEntries(layout.nodes.map((n) => [n.number, n.layer]));
    expect(layer).toEqual({ 1: 0, 3: 0, 2: 1, 4: 2 });
    const y = new Map(layout.nodes.map((n) => [n.number, n.y]));
    for (const edge of layout.edges) expect(y.get(edge.from)!).toBeLessThan(y.get(edge.to)!);
    expect(layout.edges).toEqual([
      { from: 1, to: 2 },
      { from: 1, to: 4 },
      { from: 2, to: 4 },
    ]);
  });

  it("keeps boxes apart and inside the drawing", () => {
    const layout = layoutDag([1, 2, 3, 4, 5].map((n) => stage(n, [])));
    const xs = layout.nodes.map((n) => n.x).sort((a, b) => a - b);
    for (let k = 1; k < xs.length; k++) expect(xs[k] - xs[k - 1]).toBeGreaterThanOrEqual(NODE.width);
    expect(Math.max(...xs) + NODE.width).toBeLessThanOrEqual(layout.width);
    expect(layout.height).toBe(NODE.margin * 2 + NODE.height);
  });

  it("orders a layer under its dependencies, so parallel chains do not cross", () => {
    // Two chains declared crosswise: 3 needs 2 and 4 needs 1.
    const layout = layoutDag([stage(1, []), stage(2, []), stage(3, [2]), stage(4, [1])]);
    const x = new Map(layout.nodes.map((n) => [n.number, n.x]));
    expect(x.get(4)!).toBeLessThan(x.get(3)!);
  });

  it("survives what only an invalid plan has: a cycle, a self-dependency, a missing stage", () => {
    const layout = layoutDag([stage(1, [2]), stage(2, [1]), stage(3, [3, 9])]);
    expect(layout.nodes).toHaveLength(3);
    expect(layout.edges).toEqual([
      { from: 2, to: 1 },
      { from: 1, to: 2 },
    ]);
  });
});

describe("renderDagSvg", () => {
  it("draws one node per stage and one arrow per dependency, with escaped titles", () => {
    const svg = renderDagSvg([
      stage(1, [], { title: `<script>alert(1)</script> and a long tail`, status: "verified" }),
      stage(2, [1], { status: "failed", note: "validation-failed" }),
      stage(3, [1, 2]),
    ]);
    expect(svg.match(/<g class="dag-node/g)).toHaveLength(3);
    expect(svg.match(/<path class="dag-edge"/g)).toHaveLength(3);
    expect(svg).toContain('<g class="dag-node status-verified" data-stage="1"');
    expect(svg).toContain('<g class="dag-node status-failed" data-stage="2"');
    expect(svg).toContain("validation-failed</title>");
    expect(svg).not.toContain("<script>");
    // Long titles are cut in the box and kept whole in the tooltip.
    expect(svg).toContain("· &lt;script&gt;alert(1)&lt;/script&gt; and…</text>");
    expect(svg).toContain("<title>Stage 1 · &lt;script&gt;alert(1)&lt;/script&gt; and a long tail\n");
  });

  it("routes an arrow that skips a layer beside the boxes in between, not through them", () => {
    const stages = [stage(1, []), stage(2, [1]), stage(3, [1, 2])];
    const layout = layoutDag(stages);
    const middle = layout.nodes.find((n) => n.number === 2)!;
    const skip = /data-from="1" data-to="3" d="([^"]+)"/.exec(renderDagSvg(stages))![1];
    const lane = Number(/L(-?[\d.]+),/.exec(skip)![1]);
    expect(lane < middle.x || lane > middle.x + NODE.width).toBe(true);
    expect(lane).toBeGreaterThan(0);
    expect(lane).toBeLessThan(layout.width);
  });
});

describe("stageStatus", () => {
  const now = new Date("2030-01-01T00:10:00Z");
  const sha = (c: string) => c.repeat(40);
  const base = { run: "impl-1", at: "2030-01-01T00:00:00Z" };
  const states = (rows: LedgerRow[]) =>
    new Map(deriveStages(rows, now, [1, 2, 3, 4, 5, 6, 7]).map((s) => [s.stage, stageStatus(s)]));

  it("reads not started, running, done, verified, conditional, blocked and failed from the ledger rows", () => {
    const started = (stage: number, leaseUntil = "2030-01-01T01:00:00Z"): LedgerRow => ({
      ...base,
      status: "started",
      stage,
      leaseUntil,
      baseCommit: sha("0"),
    });
    const done = (stage: number, head = sha("a")): LedgerRow => ({
      ...base,
      status: "done",
      stage,
      headCommit: head,
      branch: `okstra/1/s${stage}`,
      carryPath: "c",
    });
    const verified = (
      stage: number,
      verdict: "accepted" | "conditional-accept" | "blocked",
      head = sha("a"),
    ): LedgerRow => ({
      ...base,
      run: "verify-1",
      status: "verified",
      stage,
      verdict,
      reportPath: "r",
      headCommit: head,
    });
    const result = states([
      started(2),
      started(3),
      done(3),
      started(4),
      done(4),
      verified(4, "accepted"),
      started(5),
      done(5),
      verified(5, "conditional-accept"),
      started(6),
      done(6, sha("b")),
      verified(6, "accepted", sha("a")),
      started(7),
      { ...base, status: "failed", stage: 7, reason: "validation-failed", detail: "npm test exited 1" },
    ]);
    expect(Object.fromEntries(result)).toEqual({
      1: "not-started",
      2: "running",
      3: "done",
      4: "verified",
      5: "conditional",
      6: "done",
      7: "failed",
    });
  });

  it("shows a blocked verdict and an expired lease without a result", () => {
    const rows: LedgerRow[] = [
      { ...base, status: "started", stage: 1, leaseUntil: "2030-01-01T00:05:00Z", baseCommit: sha("0") },
      { ...base, status: "started", stage: 2, leaseUntil: "2030-01-01T01:00:00Z", baseCommit: sha("0") },
      { ...base, status: "done", stage: 2, headCommit: sha("a"), branch: "b", carryPath: "c" },
      { ...base, status: "verified", stage: 2, verdict: "blocked", reportPath: "r", headCommit: sha("a") },
    ];
    const result = states(rows);
    // An expired lease with no row ending it is not a failure yet: reconciliation writes `abandoned` first.
    expect(result.get(1)).toBe("not-started");
    expect(result.get(2)).toBe("blocked");
    expect(
      stageStatus(
        deriveStages([...rows, { ...base, status: "abandoned", stage: 1, reason: "lease expired" }], now, [1])[0],
      ),
    ).toBe("failed");
  });
});
