import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { runCli } from "../../src/cli/main.js";
import type { LocalRepo } from "../helpers/local-repo.js";

/** Driving the CLI on a local pull request (SPEC §11.1 `--pr N [--path F --line L]`) and reading what lives beside it. */

export async function runOnPull(
  repo: LocalRepo,
  pull: number,
  comment: string,
  options: { path?: string; line?: number; actor?: string } = {},
) {
  let stdout = "";
  let stderr = "";
  const args = ["run", comment, "--repo", repo.dir, "--pr", String(pull), "--actor", options.actor ?? "maintainer"];
  if (options.path !== undefined) args.push("--path", options.path);
  if (options.line !== undefined) args.push("--line", String(options.line));
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

async function jsonFiles(dir: string): Promise<Array<Record<string, any>>> {
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith(".json"));
  const all = await Promise.all(files.map(async (f) => JSON.parse(await readFile(path.join(dir, f), "utf8"))));
  return all.sort((a, b) => a.id - b.id);
}

export const reviewComments = (repo: LocalRepo, pull: number) =>
  jsonFiles(path.join(repo.dir, ".okstra-local", "pulls", String(pull), "review-comments"));
export const pullComments = (repo: LocalRepo, pull: number) =>
  jsonFiles(path.join(repo.dir, ".okstra-local", "pulls", String(pull), "comments"));
