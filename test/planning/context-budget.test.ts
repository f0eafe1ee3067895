import { afterEach, describe, expect, it } from "@jest/globals";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { contextBudgetChars } from "../../src/engine/planning/context-budget.js";
import { gatherContext, renderContext, type IssueSnapshot } from "../../src/engine/planning/gather-context.js";
import { analyserResultSchema } from "../../src/plan/plan-schema.js";
import { git } from "../../src/util/git.js";
import { buildWorkerRequest } from "../../src/workers/build-request.js";
import { estimateTokens } from "../../src/workers/usage.js";

/**
 * The planning context budget (SPEC §13): a real git repository of 60 files
 * of ~14 KB each (~820 KB, ~200k tokens), an issue naming one of them and an
 * identifier every module mentions (module N mentions it N times). The
 * analyser request stays within the configured tokens, the file the issue
 * names comes first, then the modules with the most mentions, and every file
 * left out is listed.
 */

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function bigRepo(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "okstra-budget-"));
  dirs.push(dir);
  await git(["init", "-q", "-b", "main"], { cwd: dir });
  await writeFile(path.join(dir, "README.md"), `# Big\n\n${"A library with many modules. ".repeat(200)}\n`);
  await writeFile(
    path.join(dir, "package.json"),
    JSON.stringify({ name: "big", scripts: { test: "node --test" } }, null, 2),
  );
  await mkdir(path.join(dir, "src"));
  for (let i = 0; i < 60; i++) {
    const body = `export function module${i}(value) {\n  return value + ${i};\n}\n`.repeat(250);
    await writeFile(path.join(dir, "src", `module${i}.js`), `${"// uses exportCsv\n".repeat(i)}${body}`);
  }
  await git(["add", "-A"], { cwd: dir });
  await git(["-c", "user.name=t", "-c", "user.email=t@e", "commit", "-q", "-m", "init"], { cwd: dir });
  return dir;
}

const issue: IssueSnapshot = {
  title: "CSV export breaks on commas",
  body: "`exportCsv` mishandles commas; see src/module7.js for the row helper.",
  bodyTruncated: false,
  bodyChars: 90,
  comments: [],
};

const values = {
  taskKey: "issue-1",
  issue: { title: issue.title, body: issue.body, comments: "(none)" },
  guidance: "(none)",
  stageStepCap: 6,
};

function analyserRequestTokens(context: string): number {
  const request = buildWorkerRequest({
    role: "analyser",
    phase: "planning",
    task: "issue-1",
    run: "plan-1",
    input: {},
    values: { ...values, context },
    schema: analyserResultSchema,
  });
  return estimateTokens(request.prompt) + estimateTokens(JSON.stringify(request.resultSchema));
}

describe("planning context budget", () => {
  it("keeps the analyser request within the configured tokens, the files the issue names first, every left-out file listed", async () => {
    const dir = await bigRepo();
    const context = await gatherContext(dir, issue, contextBudgetChars(40_000, values));

    expect(analyserRequestTokens(renderContext(context))).toBeLessThanOrEqual(40_000);
    expect(context.files.slice(0, 3).map((f) => [f.path, f.reason])).toEqual([
      ["src/module7.js", "named-in-issue"],
      ["src/module59.js", "keyword"],
      ["src/module58.js", "keyword"],
    ]);
    // Without the budget (the old fixed 160k characters), the same request would pass 40k tokens.
    const unbounded = await gatherContext(dir, issue, 400_000);
    expect(analyserRequestTokens(renderContext(unbounded))).toBeGreaterThan(40_000);

    // A tighter budget drops the least relevant files first, and says so.
    const tight = await gatherContext(dir, issue, contextBudgetChars(12_000, values));
    expect(analyserRequestTokens(renderContext(tight))).toBeLessThanOrEqual(12_000);
    expect(tight.files[0]!.path).toBe("src/module7.js");
    expect(tight.omitted.map((o) => o.path)).toEqual(expect.arrayContaining(["README.md", "package.json"]));
    expect(tight.omitted.every((o) => o.reason === "context budget used up")).toBe(true);
    expect(renderContext(tight)).toContain("Not shown:");
  });
});
