import { afterEach, describe, expect, it } from "@jest/globals";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { runCli } from "../../src/cli/main.js";
import { renderForTerminal } from "../../src/cli/terminal.js";
import { configureRecordedWorkers, createLocalRepo, type LocalRepo } from "../helpers/local-repo.js";

/** `okstra status` / `okstra run` print for a person at a terminal; `--markdown` prints what was posted. */

let repo: LocalRepo;
afterEach(async () => {
  await repo?.dispose();
});

async function okstra(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

describe("the CLI's terminal rendering", () => {
  it("prints status as a plain aligned table with paths, not Markdown pseudo-links; --markdown keeps the Markdown", async () => {
    repo = await createLocalRepo();
    await configureRecordedWorkers(repo, "", ["verification: { autoVerify: false }"]);
    expect((await repo.run("/okstra plan")).code).toBe(0);
    expect((await repo.run("/okstra approve")).code).toBe(0);
    const implement = await repo.run("/okstra implement --stage 1");
    expect(implement.code).toBe(0);
    // The run's own answer: no HTML markers, the report as a ledger path.
    expect(implement.stdout).not.toMatch(/<!--|<sub>|\]\(/);
    expect(implement.stdout).toContain("Ledger files (git show okstra/ledger:PATH):\n  tasks/1/runs/impl-1/report.md");

    const status = await okstra("status", "--repo", repo.dir, "--issue", "1");
    expect(status.code).toBe(0);
    const lines = status.stdout.split("\n");
    const header = lines.findIndex((l) => /^stage\s+started\s+done\s+verified\s+PR$/.test(l));
    expect(header).toBeGreaterThan(0);
    expect(lines[header + 1]).toMatch(/^─+( {2}─+){4}$/);
    const row1 = lines[header + 2]!;
    expect(row1).toMatch(/^1 · CSV field escaping\s+impl-1\s+`[0-9a-f]{7}` impl-1\s+—\s+#\d+ \(/);
    // Columns line up: "started" starts at the same column in the header and the row.
    expect(row1.indexOf("impl-1")).toBe(lines[header]!.indexOf("started"));
    // The PR's local record is a path; run reports are ledger paths listed once.
    expect(row1).toContain(`(${path.join(repo.dir, ".okstra-local", "pulls")}${path.sep}`);
    expect(status.stdout).not.toMatch(/file:\/\/|\]\(|\|---/);
    expect(status.stdout).toContain("Ledger files (git show okstra/ledger:PATH):\n  tasks/1/runs/impl-1/report.md\n");

    const markdown = await okstra("status", "--repo", repo.dir, "--issue", "1", "--markdown");
    expect(markdown.stdout).toContain("| stage | started | done | verified | PR |");
    expect(markdown.stdout).toContain("[impl-1](okstra/ledger:tasks/1/runs/impl-1/report.md)");
  });

  it("takes a plain first line of --issue-file as the title (`# ` optional)", async () => {
    repo = await createLocalRepo();
    const file = path.join(repo.root, "issue.txt");
    await writeFile(file, "Export the inventory as JSON\n\nLike the CSV export, but JSON.\n");
    const result = await okstra(
      "run",
      "/okstra help",
      "--repo",
      repo.dir,
      "--issue",
      "2",
      "--issue-file",
      file,
      "--actor",
      "maintainer",
    );
    expect(result.code).toBe(0);
    const issue = JSON.parse(await readFile(path.join(repo.dir, ".okstra-local", "issues", "2.json"), "utf8"));
    expect(issue).toMatchObject({ title: "Export the inventory as JSON", body: "Like the CSV export, but JSON." });
  });
});

describe("renderForTerminal", () => {
  it("aligns a table with escaped pipes and wide emoji, folds <details>, and lists ledger links once", () => {
    const text = renderForTerminal(
      [
        "<!-- okstra:marker -->",
        "### okstra · `status`",
        "",
        "| a | b |",
        "|---|---|",
        "| ✅ ok | x \\| y |",
        "| long cell | [r1](okstra/ledger:tasks/1/r.md) [r1 again](okstra/ledger:tasks/1/r.md) |",
        "",
        "<details><summary>Stage 1: validation-failed — output</summary>",
        "",
        "```",
        "1 !== 2",
        "```",
        "",
        "</details>",
        "[site](https://example.invalid/x) · [local](file:///tmp/a%20b.json)",
      ].join("\n"),
    );
    expect(text).toBe(
      [
        "okstra · `status`",
        "",
        "a          b",
        "─────────  ───────────",
        "✅ ok      x | y",
        "long cell  r1 r1 again",
        "",
        "Stage 1: validation-failed — output:",
        "",
        "```",
        "1 !== 2",
        "```",
        "",
        "site <https://example.invalid/x> · local (/tmp/a b.json)",
        "",
        "Ledger files (git show okstra/ledger:PATH):",
        "  tasks/1/r.md",
        "",
      ].join("\n"),
    );
  });
});
