import { expect } from "@jest/globals";
import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { git } from "../../src/util/git.js";
import { createLocalRepo, planningWorker, RECORDINGS, type LocalRepo } from "../helpers/local-repo.js";

/**
 * The sample repository planned, approved and ready to implement with the
 * recorded executor (as in test/implementation), plus recorded verifiers
 * (fixtures/recordings/verifier-worker.mjs) scripted per test.
 */

export const EXECUTOR = path.join(RECORDINGS, "executor-worker.mjs");
export const VERIFIER = path.join(RECORDINGS, "verifier-worker.mjs");
const STAGES = path.join(RECORDINGS, "inventory-csv", "stages");

/** A recorded verifier with the given flags (see the recording's header). */
export function verifier(flags: string): string {
  return `{ provider: command, command: "${process.execPath} ${VERIFIER} ${flags}" }`;
}

export interface VerificationConfig {
  verifiers: string[];
  verification?: string;
  extra?: string;
}

/** `.github/okstra.yml`: the recorded planners and executor, the given verifiers, no pilot. */
export function okstraConfig(options: VerificationConfig): string {
  return [
    "pilot: false",
    "workers:",
    `  lead: ${planningWorker("--lead good")}`,
    `  analysers: [ ${planningWorker("--draft full --review agree")}, ${planningWorker("--draft full --review agree")} ]`,
    `  executor: { provider: command, command: "${process.execPath} ${EXECUTOR} --stages ${STAGES}" }`,
    `  verifiers: [ ${options.verifiers.join(", ")} ]`,
    `verification: ${options.verification ?? "{ maxRounds: 2 }"}`,
    options.extra ?? "",
  ].join("\n");
}

export async function approvedRepo(options: VerificationConfig): Promise<LocalRepo> {
  const repo = await createLocalRepo();
  await repo.commitFile(".github/okstra.yml", okstraConfig(options));
  expect((await repo.run("/okstra plan")).code).toBe(0);
  expect((await repo.run("/okstra approve")).code).toBe(0);
  return repo;
}

export async function ledgerRows(repo: LocalRepo): Promise<Array<Record<string, any>>> {
  return (await repo.ledgerFile("tasks/1/ledger.jsonl"))
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line));
}

export async function ledgerJson(repo: LocalRepo, file: string): Promise<any> {
  return JSON.parse(await repo.ledgerFile(`tasks/1/${file}`));
}

async function records(repo: LocalRepo, kind: "pulls" | "check-runs"): Promise<Array<Record<string, any>>> {
  const dir = path.join(repo.dir, ".okstra-local", kind);
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith(".json"));
  const all = await Promise.all(files.map(async (f) => JSON.parse(await readFile(path.join(dir, f), "utf8"))));
  return all.sort((a, b) => (a.number ?? a.id) - (b.number ?? b.id));
}

export const pulls = (repo: LocalRepo) => records(repo, "pulls");
export const checkRuns = (repo: LocalRepo) => records(repo, "check-runs");

export async function branchHead(repo: LocalRepo, stage: number): Promise<string> {
  return (await git(["rev-parse", `okstra/1/s${stage}`], { cwd: repo.dir })).stdout.trim();
}

/** The worker records a run left in the ledger (`runs/<id>/workers/*.json`), by file name. */
export async function workerFiles(repo: LocalRepo, run: string): Promise<string[]> {
  const prefix = `tasks/1/runs/${run}/workers/`;
  return (await repo.ledgerFiles())
    .filter((f) => f.startsWith(prefix))
    .map((f) => f.slice(prefix.length))
    .sort();
}

/** The requests the recorded verifiers logged (`--log FILE`): role, round, stages and finding ids. */
export async function verifierLog(
  file: string,
): Promise<Array<{ role: string; round: number | null; stages: number[]; findings: string[] }>> {
  const text = await readFile(file, "utf8").catch(() => "");
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}
