import { mkdtemp, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "@jest/globals";
import { git } from "../../src/util/git.js";
import type { LocalRepo } from "../helpers/local-repo.js";

/**
 * What a user with `contents: write` can do to `okstra/ledger` without okstra:
 * check the branch out, edit files, commit — under any author name they like
 * (here "okstra" itself, to show that authorship proves nothing) — and push.
 * Each edit gets the file's current text (null when absent) and returns the new one (null deletes it).
 */
export async function forgeLedgerCommit(
  repoDir: string,
  edits: Record<string, (current: string | null) => string | null>,
  message = "ledger: hand edit",
): Promise<string> {
  const work = await mkdtemp(path.join(tmpdir(), "okstra-forge-"));
  try {
    await git(["worktree", "add", "--quiet", "--detach", work, "okstra/ledger"], { cwd: repoDir });
    for (const [file, edit] of Object.entries(edits)) {
      const full = path.join(work, file);
      const current = await readFile(full, "utf8").catch(() => null);
      const next = edit(current);
      if (next === null) {
        await git(["rm", "--quiet", file], { cwd: work });
        continue;
      }
      await mkdir(path.dirname(full), { recursive: true });
      await writeFile(full, next);
      await git(["add", file], { cwd: work });
    }
    const env = {
      GIT_AUTHOR_NAME: "okstra",
      GIT_AUTHOR_EMAIL: "okstra@users.noreply.github.com",
      GIT_COMMITTER_NAME: "okstra",
      GIT_COMMITTER_EMAIL: "okstra@users.noreply.github.com",
    };
    await git(["commit", "--quiet", "-m", message], { cwd: work, env });
    const sha = (await git(["rev-parse", "HEAD"], { cwd: work })).stdout.trim();
    await git(["update-ref", "refs/heads/okstra/ledger", sha], { cwd: repoDir });
    return sha;
  } finally {
    await git(["worktree", "remove", "--force", work], { cwd: repoDir, allowFailure: true });
    await rm(work, { recursive: true, force: true });
  }
}

/** The repair okstra advises: `git revert <commit>` on the ledger branch. */
export async function revertLedgerCommit(repoDir: string, commit: string): Promise<void> {
  const work = await mkdtemp(path.join(tmpdir(), "okstra-revert-"));
  try {
    await git(["worktree", "add", "--quiet", "--detach", work, "okstra/ledger"], { cwd: repoDir });
    const env = {
      GIT_AUTHOR_NAME: "maintainer",
      GIT_AUTHOR_EMAIL: "m@example.com",
      GIT_COMMITTER_NAME: "maintainer",
      GIT_COMMITTER_EMAIL: "m@example.com",
    };
    await git(["revert", "--no-edit", commit], { cwd: work, env });
    const sha = (await git(["rev-parse", "HEAD"], { cwd: work })).stdout.trim();
    await git(["update-ref", "refs/heads/okstra/ledger", sha], { cwd: repoDir });
  } finally {
    await git(["worktree", "remove", "--force", work], { cwd: repoDir, allowFailure: true });
    await rm(work, { recursive: true, force: true });
  }
}

/** Appends one JSON row (unsigned: only okstra can sign) to a ledger.jsonl text. */
export function appendRow(row: Record<string, unknown>): (current: string | null) => string {
  return (current) => `${current ?? ""}${JSON.stringify(row)}\n`;
}

/**
 * Replaces the rows of a ledger.jsonl text that `match` picks with what `edit` makes of them,
 * keeping each row's `mac`: the edit a person makes by hand to a signed row.
 */
export function editRows(
  match: (row: Record<string, any>) => boolean,
  edit: (row: Record<string, any>) => Record<string, any>,
): (current: string | null) => string {
  return (current) => {
    let edited = 0;
    const lines = (current ?? "").split("\n").map((line) => {
      if (line.trim() === "") return line;
      const row = JSON.parse(line);
      if (!match(row)) return line;
      edited++;
      return JSON.stringify(edit(row));
    });
    if (edited === 0) throw new Error("editRows: no row matched");
    return lines.join("\n");
  };
}

/**
 * `status`, `verify` and `ship` on a forged ledger: status lists it, the other two refuse;
 * all three name the commit. Reverting the commit, as the reply advises, repairs the task.
 */
export async function expectDistrusted(repo: LocalRepo, commit: string, where: RegExp, unlike: RegExp): Promise<void> {
  const lastReply = async () => (await repo.comments()).at(-1)!.body;
  expect((await repo.run("/okstra status")).code).toBe(0);
  const status = await lastReply();
  expect(status).toContain("**Untrusted ledger state**");
  expect(status).toMatch(where);
  expect(status).toContain(`introduced by commit \`${commit.slice(0, 12)}\``);
  expect(status).not.toMatch(unlike);

  for (const command of ["/okstra verify", "/okstra ship all"]) {
    const result = await repo.run(command);
    expect(result.code).toBe(1);
    const reply = await lastReply();
    expect(reply).toContain("holds state okstra did not write");
    expect(reply).toMatch(where);
    expect(reply).toContain(`git revert ${commit.slice(0, 12)}`);
  }
  await revertLedgerCommit(repo.dir, commit);
  expect((await repo.run("/okstra status")).code).toBe(0);
  expect(await lastReply()).not.toContain("okstra did not write");
}
