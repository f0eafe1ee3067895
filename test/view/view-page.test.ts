import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { mkdtemp, readFile, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createLocalIssue } from "../../src/platform/local/index.js";
import { escapeHtml } from "../../src/view/escape.js";
import {
  ATTRIBUTE_PAYLOAD,
  createRealRun,
  HOSTILE_TITLE,
  SCRIPT_PAYLOAD,
  viewCli,
  writePage,
  type RealRun,
} from "./real-run.js";

let run: RealRun;
let file: string;
let html: string;

beforeAll(async () => {
  // Two implement runs: stages 1 and 2, then stage 3; stage 4 stays not started.
  run = await createRealRun(2);
  ({ file, html } = await writePage(run));
}, 120_000);

afterAll(async () => {
  await run?.repo.dispose();
});

function section(id: string): string {
  const start = html.indexOf(`<section id="${id}">`);
  expect(start).toBeGreaterThanOrEqual(0);
  return html.slice(start, html.indexOf("</section>", start));
}

async function pulls(): Promise<Array<{ number: number; head: string; base: string; draft: boolean }>> {
  const dir = path.join(run.repo.dir, ".okstra-local", "pulls");
  const files = (await readdir(dir)).filter((f) => /^\d+\.json$/.test(f));
  return Promise.all(files.map(async (f) => JSON.parse(await readFile(path.join(dir, f), "utf8"))));
}

describe("okstra view on a real local run (plan → approve → implement)", () => {
  it("writes one page under .okstra-local/view and prints its path", async () => {
    expect(file).toBe(path.join(run.repo.dir, ".okstra-local", "view", "issue-1.html"));
    expect((await stat(file)).size).toBeGreaterThan(0);
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
  });

  it("shows the issue title escaped, never as markup", () => {
    expect(html).toContain(`<h1>${escapeHtml(HOSTILE_TITLE)} <span class="number">#1</span></h1>`);
    expect(html).toContain(`<title>${escapeHtml(`#1 ${HOSTILE_TITLE} · okstra`)}</title>`);
    expect(html).not.toContain(HOSTILE_TITLE);
  });

  it("escapes a body that tries to inject a script or an attribute", () => {
    expect(html).not.toContain(SCRIPT_PAYLOAD);
    expect(html).not.toContain(ATTRIBUTE_PAYLOAD);
    expect(html).not.toMatch(/<(script|img|iframe)|<[a-z][^>]*\son\w+=/i);
    expect(section("thread")).toContain(escapeHtml(SCRIPT_PAYLOAD));
    expect(section("thread")).toContain(escapeHtml(ATTRIBUTE_PAYLOAD));
  });

  it("draws one SVG node per plan stage and one edge per dependency, coloured by the ledger's state", () => {
    const nodes = [...html.matchAll(/<g class="dag-node status-([a-z-]+)" data-stage="(\d+)"/g)].map((m) => [
      Number(m[2]),
      m[1],
    ]);
    expect(nodes.sort()).toEqual([
      [1, "verified"],
      [2, "done"],
      [3, "done"],
      [4, "not-started"],
    ]);
    expect(nodes.map(([n]) => n)).toEqual(run.planStages.map((s) => s.number));
    const edges = [...html.matchAll(/class="dag-edge" data-from="(\d+)" data-to="(\d+)"/g)].map((m) => [
      Number(m[1]),
      Number(m[2]),
    ]);
    const dependencies = run.planStages.flatMap((s) => s.dependsOn.map((d) => [d, s.number]));
    expect(edges.sort()).toEqual(dependencies.sort());
    expect(edges.length).toBe(3);
  });

  it("lists every stage PR with head → base, draft state and the check runs on its head", async () => {
    const stagePrs = section("stage-prs");
    const stagePulls = (await pulls()).filter((p) => /^okstra\/1\/s\d+$/.test(p.head));
    expect(stagePulls.map((p) => p.head).sort()).toEqual(["okstra/1/s1", "okstra/1/s2", "okstra/1/s3"]);
    for (const pull of stagePulls) {
      expect(stagePrs).toContain(`.okstra-local/pulls/${pull.number}.json">#${pull.number}</a>`);
      expect(stagePrs).toContain(`<code>${pull.head}</code> → <code>${pull.base}</code>`);
    }
    expect(stagePrs.match(/badge-draft/g)).toHaveLength(3);
    const s1Row = stagePrs.split("<tr>").find((row) => row.includes("<code>okstra/1/s1</code>"))!;
    expect(s1Row).toContain(`ci / test: <span class="badge badge-check-success">success</span>`);
  });

  it("shows the group PR in its own section with its stages and failing check", () => {
    const groupPrs = section("group-prs");
    expect(groupPrs).toContain(`#${run.groupPull}</a>`);
    expect(groupPrs).toContain("<code>okstra/1/group-1-2</code> → <code>main</code>");
    expect(groupPrs).toContain(`<td>1, 2</td>`);
    expect(groupPrs).toContain(`ci / test: <span class="badge badge-check-failure">failure</span>`);
    expect(section("stage-prs")).not.toContain("group-1-2");
  });

  it("renders every ledger row as a table row", async () => {
    const stored = (await run.repo.ledgerFile("tasks/1/ledger.jsonl")).trim().split("\n");
    const rows = section("ledger").split("<tbody>")[1]!.match(/<tr>/g) ?? [];
    expect(rows).toHaveLength(stored.length);
    expect(section("ledger")).toContain(`<span class="badge badge-row-approved">approved</span>`);
  });

  it("renders okstra's comments from markdown, with authors, times and reactions", () => {
    const thread = section("thread");
    expect(thread).toContain("<strong>okstra[bot]</strong>");
    expect(thread).toMatch(/<h2>📋 Plan v1: [^<]+<\/h2>/);
    expect(thread).toContain("<details>\n<summary><b>Stage 1 · CSV field escaping</b>");
    expect(thread).toMatch(/<time datetime="\d{4}-\d\d-\d\dT[^"]+">/);
    expect(thread).toContain(`title="heart by okstra[bot]">❤️ 1</span>`);
    expect(thread).not.toContain("okstra:run-status"); // the marker comments are hidden, as on GitHub
  });
});

describe("okstra view arguments and exit codes", () => {
  it("writes to --out when given", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "okstra-view-out-"));
    try {
      const out = path.join(dir, "nested", "page.html");
      const result = await viewCli(["--repo", run.repo.dir, "--issue", "1", "--out", out]);
      expect(result).toEqual({ code: 0, stdout: `${out}\n`, stderr: "" });
      expect(await readFile(out, "utf8")).toContain('<svg class="dag"');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("is a usage error (2) for an issue without a task, a missing issue, or missing arguments", async () => {
    await createLocalIssue(run.repo.dir, { number: 90, title: "Not planned", body: "", author: "someone" });
    const noTask = await viewCli(["--repo", run.repo.dir, "--issue", "90"]);
    expect(noTask.code).toBe(2);
    expect(noTask.stderr).toContain("okstra has no task for #90 yet");
    const noIssue = await viewCli(["--repo", run.repo.dir, "--issue", "91"]);
    expect(noIssue.code).toBe(2);
    expect(noIssue.stderr).toContain("issue #91 does not exist");
    expect((await viewCli(["--issue", "1"])).code).toBe(2);
    expect((await viewCli(["--repo", run.repo.dir, "--issue", "x"])).code).toBe(2);
    expect((await viewCli(["--repo", run.repo.dir, "--issue", "1", "--bogus"])).code).toBe(2);
  });
});
