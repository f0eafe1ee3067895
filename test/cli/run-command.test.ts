import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { runCli } from "../../src/cli/main.js";
import { renderForTerminal } from "../../src/cli/terminal.js";
import { createSampleRepository, FIXTURES_DIR } from "../../src/cli/sample-repository.js";
import { git } from "../../src/util/git.js";

const ISSUE_FILE = path.join(FIXTURES_DIR, "sample-issue.md");

interface StoredComment {
  id: number;
  author: string;
  body: string;
  reactions: Array<{ content: string; user: string }>;
}

let root: string;
let repo: string;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), "okstra-cli-"));
  repo = await createSampleRepository(path.join(root, "inventory"));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function okstra(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

/** Runs a command on issue 1 (filing it from the sample issue the first time) as `actor`. */
function run(comment: string, actor = "maintainer") {
  return okstra("run", comment, "--repo", repo, "--issue", "1", "--issue-file", ISSUE_FILE, "--actor", actor);
}

async function comments(issue = 1): Promise<StoredComment[]> {
  const dir = path.join(repo, ".okstra-local", "issues", String(issue), "comments");
  const files = (await readdir(dir)).filter((f) => f.endsWith(".json"));
  const stored = await Promise.all(
    files.map(async (f) => JSON.parse(await readFile(path.join(dir, f), "utf8")) as StoredComment),
  );
  return stored.sort((a, b) => a.id - b.id);
}

async function commitOnMain(file: string, text: string) {
  await mkdir(path.dirname(path.join(repo, file)), { recursive: true });
  await writeFile(path.join(repo, file), text);
  await git(["add", file], { cwd: repo });
  await git(["commit", "-q", "-m", `chore: change ${file}`], { cwd: repo });
}

describe("okstra run (local platform)", () => {
  it("answers /okstra help with 👀 and a usage comment, and files the issue", async () => {
    const result = await run("/okstra help");
    expect(result.code).toBe(0);

    const issue = JSON.parse(await readFile(path.join(repo, ".okstra-local", "issues", "1.json"), "utf8"));
    expect(issue).toMatchObject({ number: 1, title: "Export the inventory as CSV", author: "maintainer" });
    expect(issue.body).toContain("toCsv(inventory)");

    const [command, answer] = await comments();
    expect(command).toMatchObject({ author: "maintainer", body: "/okstra help" });
    expect(command.reactions).toEqual([expect.objectContaining({ content: "eyes", user: "okstra[bot]" })]);
    expect(answer.author).toBe("okstra[bot]");
    expect(answer.body).toContain("/okstra implement [--stage auto|N]");
    expect(answer.body).toContain("✅ done");
    expect(result.stdout).toBe(renderForTerminal(answer.body));
    const exclude = await readFile(path.join(repo, ".git", "info", "exclude"), "utf8");
    expect(exclude).toContain(".okstra-local/");
  });

  it("says there is no plan yet on /okstra status and names the next command", async () => {
    const result = await run("/okstra status");
    expect(result.code).toBe(0);
    const answer = (await comments()).at(-1)!;
    expect(answer.body).toContain("okstra has no plan for #1 yet");
    expect(answer.body).toContain("`/okstra plan`");
    // Reading the status never creates the ledger branch.
    expect(
      await git(["rev-parse", "--verify", "-q", "refs/heads/okstra/ledger"], { cwd: repo, allowFailure: true }),
    ).toMatchObject({ exitCode: 1 });
  });

  it("refuses a read-only user's command, naming the required permission, with no 👀 and no run", async () => {
    await mkdir(path.join(repo, ".okstra-local"), { recursive: true });
    await writeFile(path.join(repo, ".okstra-local", "permissions.json"), JSON.stringify({ reader: "read" }));
    const result = await run("/okstra status", "reader");
    expect(result.code).toBe(1);
    const [command, reply] = await comments();
    expect(command.reactions).toEqual([]);
    expect(reply.body).toContain(
      "@reader has `read` permission on this repository; okstra commands need `write` or higher.",
    );
    expect(reply.body).not.toContain("okstra:run-status");
    expect(result.stderr).toContain("refused");
  });

  it("honours minimumPermission from the configuration", async () => {
    await commitOnMain(".github/okstra.yml", "minimumPermission: admin\n");
    await mkdir(path.join(repo, ".okstra-local"), { recursive: true });
    await writeFile(path.join(repo, ".okstra-local", "permissions.json"), JSON.stringify({ writer: "write" }));
    expect((await run("/okstra help", "writer")).code).toBe(1);
    expect((await comments()).at(-1)!.body).toContain("okstra commands need `admin` or higher");
  });

  it.each([
    ["/okstra frobnicate", "Unknown command `frobnicate`.", "/okstra ship STAGES [--base BRANCH]"],
    [
      "/okstra implement --stage x",
      "`--stage` must be `auto` or a stage number, got `x`.",
      "Usage: `/okstra implement [--stage auto|N]`",
    ],
  ])("replies to %s with the exact problem and the usage", async (comment, problem, usage) => {
    const result = await run(comment);
    expect(result.code).toBe(1);
    const [command, reply] = await comments();
    expect(command.reactions.map((r) => r.content)).toEqual(["eyes"]);
    expect(reply.body).toContain(problem);
    expect(reply.body).toContain(usage);
  });

  it("replies with every bad key path of an invalid .github/okstra.yml and does nothing else", async () => {
    await commitOnMain(
      ".github/okstra.yml",
      "minimumPermission: read\nplanning: { stageStepCap: -1 }\nqaCommands:\n  lint: eslint . --fix\n",
    );
    const result = await run("/okstra help");
    expect(result.code).toBe(1);
    const reply = (await comments()).at(-1)!;
    expect(reply.body).toContain("`.github/okstra.yml` on the default branch is invalid");
    expect(reply.body).toContain("- `minimumPermission`:");
    expect(reply.body).toContain("- `planning.stageStepCap`:");
    expect(reply.body).toContain("- `qaCommands.lint`: contains the mutating token `--fix`");
    expect(reply.body).not.toContain("/okstra ship STAGES");
  });

  it("reads the configuration from the default branch only", async () => {
    await git(["checkout", "-q", "-b", "feature"], { cwd: repo });
    await commitOnMain(".github/okstra.yml", "minimumPermission: [broken\n");
    await git(["checkout", "-q", "main"], { cwd: repo });
    expect((await run("/okstra help")).code).toBe(0);
  });

  it("fails a plan honestly when no model key is configured, naming the missing variable", async () => {
    const saved = { ANTHROPIC_API_KEY: process.env.ANTHROPIC_API_KEY, OPENAI_API_KEY: process.env.OPENAI_API_KEY };
    delete process.env.ANTHROPIC_API_KEY;
    delete process.env.OPENAI_API_KEY;
    try {
      const result = await run("/okstra plan");
      expect(result.code).toBe(1);
      const status = (await comments()).at(-1)!.body;
      expect(status).toContain("Planning stopped (no-draft); no plan was saved.");
      expect(status).toContain("ANTHROPIC_API_KEY");
      expect(status).toContain("OPENAI_API_KEY");
    } finally {
      Object.assign(process.env, Object.fromEntries(Object.entries(saved).filter(([, v]) => v !== undefined)));
    }
  });

  it("ignores a bot's command without writing anything", async () => {
    const result = await run("/okstra help", "renovate[bot]");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("bots never trigger commands");
    await expect(comments()).rejects.toThrow(/ENOENT/);
  });

  it("exits 2 with the usage on a usage error", async () => {
    expect((await okstra("run", "/okstra help", "--repo", repo)).code).toBe(2);
    expect((await okstra("run", "hello", "--repo", repo, "--issue", "1")).stderr).toContain(
      "the comment must start with /okstra",
    );
    expect((await okstra("run", "/okstra help", "--repo", root, "--issue", "1")).stderr).toContain(
      "is not a git repository",
    );
    const missing = await okstra("run", "/okstra help", "--repo", repo, "--issue", "9");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("pass --issue-file FILE");
    expect((await okstra("frobnicate")).code).toBe(2);
  });

  it("okstra status prints the same answer without posting anything", async () => {
    const result = await okstra("status", "--repo", repo, "--issue", "1");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("okstra has no plan for #1 yet");
  });
});

describe("the okstra bin (built)", () => {
  it("runs /okstra help as a real process with exit code 0", async () => {
    const bin = path.resolve("bin/okstra.js");
    const { stdout } = await promisify(execFile)(process.execPath, [
      bin,
      "run",
      "/okstra help",
      "--repo",
      repo,
      "--issue",
      "1",
      "--issue-file",
      ISSUE_FILE,
      "--actor",
      "maintainer",
    ]);
    expect(stdout).toContain("/okstra ship STAGES");
  });
});
