import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { git } from "../../src/util/git.js";
import type { CarrySidecar, TaskMeta } from "../../src/ledger/files.js";

/** Builders for ledger tests: deterministic SHAs, a task, a plan, a carry, and a real git repository. */

/** A valid 40-hex commit id derived from a label, so tests read `sha("s1-head")` not a random string. */
export function sha(label: string): string {
  let hex = "";
  for (const ch of label) hex += ch.charCodeAt(0).toString(16).padStart(2, "0");
  return hex.padEnd(40, "0").slice(0, 40);
}

export const T0 = new Date("2025-03-01T10:00:00.000Z");

export function minutes(from: Date, n: number): Date {
  return new Date(from.getTime() + n * 60_000);
}

export function taskMeta(issue: number, overrides: Partial<TaskMeta> = {}): TaskMeta {
  return {
    issue,
    title: `Task ${issue}`,
    baseBranch: "main",
    planVersion: 1,
    createdAt: T0.toISOString(),
    ...overrides,
  };
}

/** A plan with the fields the ledger reads plus a few it must carry along untouched. */
export function plan(
  stages: Array<{ number: number; dependsOn?: number[]; steps?: number; title?: string }>,
): Record<string, unknown> {
  return {
    version: 1,
    taskKey: "issue-7",
    title: "A plan",
    stages: stages.map((s) => ({
      number: s.number,
      title: s.title ?? `Stage ${s.number}`,
      dependsOn: s.dependsOn ?? [],
      steps: Array.from({ length: s.steps ?? 2 }, (_, i) => ({
        n: i + 1,
        action: `GREEN: step ${i + 1}`,
        files: [],
        expected: "ok",
      })),
    })),
  };
}

export function carry(stage: number, overrides: Partial<CarrySidecar> = {}): CarrySidecar {
  return {
    stage,
    taskKey: "issue-7",
    run: "impl-1",
    branch: `okstra/7/s${stage}`,
    stageCommitRange: { base: sha("base"), head: sha(`s${stage}-head`) },
    commits: [{ sha: sha(`s${stage}-head`), subject: `feat: stage ${stage}` }],
    exposed: { files: [], identifiers: [], endpoints: [] },
    validation: [{ phase: "post", command: "npm test", exitCode: 0, durationMs: 10, outputTail: "ok" }],
    outOfPlanEdits: [],
    placeholders: [],
    worker: { provider: "command" },
    status: "complete",
    ...overrides,
  };
}

export function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

export interface TempRepo {
  dir: string;
  cleanup(): Promise<void>;
}

/** A real repository with one commit on main, as a user's checkout would be. */
export async function tempRepo(): Promise<TempRepo> {
  const dir = await mkdtemp(join(tmpdir(), "okstra-ledger-test-"));
  await git(["init", "-q", "-b", "main"], { cwd: dir });
  await git(["commit", "-q", "--allow-empty", "-m", "initial"], { cwd: dir });
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export async function refSha(dir: string, ref = "refs/heads/okstra/ledger"): Promise<string | null> {
  const result = await git(["rev-parse", "--verify", "--quiet", ref], { cwd: dir, allowFailure: true });
  return result.exitCode === 0 ? result.stdout.trim() : null;
}

export async function showFile(dir: string, path: string): Promise<string> {
  return (await git(["show", `okstra/ledger:${path}`], { cwd: dir })).stdout;
}
