import { expect } from "@jest/globals";
import path from "node:path";
import { localDiffHunk } from "../../src/platform/local/review-diff.js";
import { addLocalReviewComment } from "../../src/platform/local/review-records.js";
import { git } from "../../src/util/git.js";
import { createLocalRepo, RECORDINGS, type LocalRepo } from "../helpers/local-repo.js";
import { EXECUTOR, okstraConfig, pulls, verifier } from "../verification/verification-repo.js";

/**
 * The sample repository with stages 1, 2 and 3 (3 depends on 1 and 2) done,
 * verified and published, and an executor that replays the recorded review
 * revisions (fixtures/recordings/revise-worker.mjs), logging what it was asked.
 */

export const REVISE_WORKER = path.join(RECORDINGS, "revise-worker.mjs");
export const REVISIONS = path.join(RECORDINGS, "inventory-csv", "revisions");

export async function reviewedRepo(executorLog: string): Promise<LocalRepo> {
  const repo = await createLocalRepo();
  const config = okstraConfig({
    verifiers: [verifier("--findings none --review agree"), verifier("--findings none --review agree")],
  }).replace(
    `${process.execPath} ${EXECUTOR}`,
    `${process.execPath} ${REVISE_WORKER} --revisions ${REVISIONS} --log ${executorLog}`,
  );
  await repo.commitFile(".github/okstra.yml", config);
  for (const command of [
    "/okstra plan",
    "/okstra approve",
    "/okstra implement --stage 1",
    "/okstra implement --stage 2",
    "/okstra implement --stage 3",
  ]) {
    const result = await repo.run(command);
    expect([command, result.code, result.stderr]).toEqual([command, 0, ""]);
  }
  return repo;
}

export async function stagePull(
  repo: LocalRepo,
  stage: number,
): Promise<{ number: number; head: string; base: string }> {
  const pull = (await pulls(repo)).find((p) => p.head === `okstra/1/s${stage}` && p.state === "open");
  if (!pull) throw new Error(`no open PR for stage ${stage}`);
  return pull as { number: number; head: string; base: string };
}

/** A reviewer's inline comment (not a command) on the line of `file` that contains `text`. */
export async function reviewOnLine(
  repo: LocalRepo,
  pull: { number: number; head: string; base: string },
  file: string,
  text: string,
  body: string,
  author = "reviewer",
) {
  const content = (await git(["show", `${pull.head}:${file}`], { cwd: repo.dir })).stdout.split("\n");
  const line = content.findIndex((l) => l.includes(text)) + 1;
  const diffHunk = await localDiffHunk(repo.dir, pull, file, line);
  return addLocalReviewComment(repo.dir, pull.number, { author, body, path: file, line, diffHunk });
}

export async function head(repo: LocalRepo, ref: string): Promise<string> {
  return (await git(["rev-parse", ref], { cwd: repo.dir })).stdout.trim();
}

export async function isAncestorIn(repo: LocalRepo, ancestor: string, of: string): Promise<boolean> {
  return (
    (await git(["merge-base", "--is-ancestor", ancestor, of], { cwd: repo.dir, allowFailure: true })).exitCode === 0
  );
}

/** Commits a change to `file` on `branch` of the repository, as a person pushing to it would. */
export async function pushOnBranch(
  repo: LocalRepo,
  branch: string,
  file: string,
  find: string,
  replace: string,
  message: string,
): Promise<string> {
  await git(["checkout", "-q", branch], { cwd: repo.dir });
  try {
    const { readFile, writeFile } = await import("node:fs/promises");
    const full = path.join(repo.dir, file);
    const text = await readFile(full, "utf8");
    if (!text.includes(find)) throw new Error(`${file} on ${branch} has no ${JSON.stringify(find)}`);
    await writeFile(full, text.replace(find, replace));
    await git(["commit", "-q", "-am", message], { cwd: repo.dir });
    return await head(repo, "HEAD");
  } finally {
    await git(["checkout", "-q", "main"], { cwd: repo.dir });
  }
}
