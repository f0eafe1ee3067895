import { afterEach, expect, it } from "@jest/globals";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { git } from "../../src/util/git.js";
import { createLocalRepo, planningWorker, PLAN_RECORDING, type LocalRepo } from "../helpers/local-repo.js";
import {
  startModelServer,
  type ModelServer,
  type ModelTurn,
  type ScriptedReply,
  type ToolCall,
} from "../helpers/model-server/index.js";

/**
 * One stage of the sample plan completed by a REAL agent CLI (claude, codex
 * or gemini from node_modules/.bin) inside okstra's real engine, against the
 * scripted model server: as executor the model writes the stage's test and
 * code through the CLI's own shell tool, runs the test and commits; as
 * verifier it returns one finding. okstra then runs the stage's validation
 * itself and records usage and cost from what the CLI reported.
 */

export type RealCli = "claude-code" | "codex" | "gemini-cli";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN: Record<RealCli, { name: string; variable: string; key: string }> = {
  "claude-code": { name: "claude", variable: "OKSTRA_CLAUDE_BIN", key: "ANTHROPIC_API_KEY" },
  codex: { name: "codex", variable: "OKSTRA_CODEX_BIN", key: "OPENAI_API_KEY" },
  "gemini-cli": { name: "gemini", variable: "OKSTRA_GEMINI_BIN", key: "GEMINI_API_KEY" },
};

export function cliBinary(cli: RealCli): string {
  return path.join(ROOT, "node_modules", ".bin", BIN[cli].name);
}

export const cliInstalled = (cli: RealCli) => existsSync(cliBinary(cli));

/** Stage 1 of the recorded plan: its two commits (a failing test, then the code), replayed through the model's tool calls. */
const STAGE_1 = JSON.parse(readFileSync(path.join(PLAN_RECORDING, "stages", "stage-1.json"), "utf8")) as {
  commits: Array<{ message: string; files: Record<string, string> }>;
};

export const FINDING = {
  id: "F-1",
  stage: 1,
  claim: "csvRow is not covered for a row with a single field.",
  evidence: [{ path: "test/csv.test.js", line: 1, quote: 'import { test } from "node:test";' }],
  severity: "minor",
  category: "tests",
};

/**
 * The finding as the scripted model writes it. For codex and gemini it is a
 * near miss (`"Minor"`), which okstra reads as "minor" and records that it
 * did; claude validates `--json-schema` itself and would never let it out.
 */
export function findingFor(cli: RealCli): typeof FINDING {
  return cli === "claude-code" ? FINDING : { ...FINDING, severity: "Minor" };
}

function heredoc(file: string, text: string): string {
  return `mkdir -p ${path.dirname(file)} && cat > ${file} <<'OKSTRA_EOF'\n${text.replace(/\n$/, "")}\nOKSTRA_EOF`;
}

interface Edit {
  file: string;
  text: string;
}

/** The executor's steps, one per model turn: write the test, write the code, then test and commit twice through the shell. */
function executorSteps(): Array<Edit | string> {
  const [testCommit, codeCommit] = STAGE_1.commits;
  const [testFile, testText] = Object.entries(testCommit.files)[0];
  const [codeFile, codeText] = Object.entries(codeCommit.files)[0];
  return [
    { file: testFile, text: testText },
    { file: codeFile, text: codeText },
    [
      `git add ${testFile}`,
      `git diff --cached --name-only`,
      `git commit -q -m ${JSON.stringify(testCommit.message)}`,
      "npm test",
      `git add ${codeFile}`,
      `git commit -q -m ${JSON.stringify(codeCommit.message)}`,
    ].join(" && "),
  ];
}

interface CliDialect {
  shell(command: string): ToolCall;
  /** Writing a file: through the CLI's own file tool where the shell tool refuses file content (gemini blocks backticks). */
  write(edit: Edit): ToolCall;
  /** The final answer: claude's StructuredOutput tool, or the JSON text codex and gemini are asked for. */
  answer(document: unknown): ScriptedReply;
}

const DIALECTS: Record<RealCli, CliDialect> = {
  "claude-code": {
    shell: (command) => ({ name: "Bash", input: { command, description: "okstra test step" } }),
    write: (edit) => DIALECTS["claude-code"].shell(heredoc(edit.file, edit.text)),
    answer: (document) => ({ toolCalls: [{ name: "StructuredOutput", input: document as Record<string, unknown> }] }),
  },
  codex: {
    shell: (cmd) => ({ name: "exec_command", input: { cmd } }),
    write: (edit) => DIALECTS.codex.shell(heredoc(edit.file, edit.text)),
    answer: (document) => ({ text: JSON.stringify(document) }),
  },
  "gemini-cli": {
    shell: (command) => ({ name: "run_shell_command", input: { command } }),
    write: (edit) => ({ name: "write_file", input: { file_path: edit.file, content: edit.text } }),
    answer: (document) => ({ text: JSON.stringify(document) }),
  },
};

export type Role = "executor" | "verifier" | "other";

export function roleOf(turn: ModelTurn): Role {
  if (turn.text.includes("# Role: stage executor")) return "executor";
  if (turn.text.includes("# Role: verifier")) return "verifier";
  return "other";
}

/** The model's side of the dialogue, decided from the role in the prompt and the tool results so far. */
export function cliScript(cli: RealCli): (turn: ModelTurn) => ScriptedReply {
  const dialect = DIALECTS[cli];
  const steps = executorSteps();
  return (turn) => {
    const step = turn.toolResults.length;
    const role = roleOf(turn);
    if (role === "executor") {
      if (step < steps.length) {
        const next = steps[step];
        return { toolCalls: [typeof next === "string" ? dialect.shell(next) : dialect.write(next)] };
      }
      if (step === steps.length)
        return dialect.answer({ summary: "Stage 1: csvField and csvRow with their tests, two commits." });
      return { text: "Done." };
    }
    if (role === "verifier") return step === 0 ? dialect.answer({ findings: [findingFor(cli)] }) : { text: "Done." };
    return { httpError: 400, message: `scripted model server: no script for this prompt: ${turn.text.slice(0, 120)}` };
  };
}

export interface RealCliRun {
  repo: LocalRepo;
  server: ModelServer;
  restoreEnv(): void;
}

/** The sample repo, planned (recorded planners) and approved, with `cli` as executor and verifier, pointed at a scripted model server. */
export async function realCliRepo(cli: RealCli): Promise<RealCliRun> {
  const server = await startModelServer(cliScript(cli));
  const saved = { ...process.env };
  process.env[BIN[cli].variable] = cliBinary(cli);
  process.env[BIN[cli].key] = `test-key-for-${cli}`;
  // As an operator would: the scripted model server is an endpoint okstra may send model traffic to (SPEC §14.6).
  process.env.OKSTRA_MODEL_ENDPOINTS = server.url;
  const baseUrl = cli === "codex" ? `${server.url}/v1` : server.url;
  const spec = `{ provider: ${cli}, model: ${cli === "claude-code" ? "claude-sonnet-4-6" : cli === "codex" ? "gpt-5.4" : "gemini-2.5-pro"}, baseUrl: "${baseUrl}" }`;
  const repo = await createLocalRepo();
  await repo.commitFile(
    ".github/okstra.yml",
    [
      "pilot: false",
      "workers:",
      `  lead: ${planningWorker("--lead good")}`,
      `  analysers: [ ${planningWorker("--draft full --review agree")}, ${planningWorker("--draft full --review agree")} ]`,
      `  executor: ${spec}`,
      `  verifiers: [ ${spec} ]`,
      "timeouts: { workerSeconds: 240 }",
    ].join("\n"),
  );
  expect((await repo.run("/okstra plan")).code).toBe(0);
  expect((await repo.run("/okstra approve")).code).toBe(0);
  return {
    repo,
    server,
    restoreEnv: () => {
      for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
      Object.assign(process.env, saved);
    },
  };
}

export async function commitSubjects(repo: LocalRepo, range: string): Promise<string[]> {
  return (await git(["log", "--format=%s", "--reverse", range], { cwd: repo.dir })).stdout.trim().split("\n");
}

/** What the scripted server reported for the requests of one role: what the CLI's own usage report must add up to. */
export function reportedUsage(
  server: ModelServer,
  role: Role,
): { inputTokens: number; outputTokens: number; cachedTokens: number; requests: number } {
  const turns = server.turns().filter((r) => roleOf(r.turn!) === role && r.usage);
  return {
    inputTokens: turns.reduce((n, r) => n + r.usage!.inputTokens, 0),
    outputTokens: turns.reduce((n, r) => n + r.usage!.outputTokens, 0),
    cachedTokens: turns.reduce((n, r) => n + r.usage!.cachedTokens, 0),
    requests: turns.length,
  };
}

/**
 * One real-CLI suite's set-up: `test` is skipped when the CLI is not
 * installed, `start()` opens the repository and model server for a test, and
 * whatever it opened is closed after each test.
 */
export function realCliSuite(cli: RealCli): { test: typeof it | typeof it.skip; start: () => Promise<RealCliRun> } {
  let run: RealCliRun | undefined;
  afterEach(async () => {
    run?.restoreEnv();
    await run?.server.close();
    await run?.repo.dispose();
    run = undefined;
  });
  return { test: cliInstalled(cli) ? it : it.skip, start: async () => (run = await realCliRepo(cli)) };
}
