import { randomBytes } from "node:crypto";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { GitRemote } from "../platform/types.js";
import { git, GitError } from "../util/git.js";
import type { Logger } from "../util/log.js";
import { PushRejectedError, type PushRejectionReason } from "./errors.js";
import { NO_HOOKS } from "./mirror-cache.js";
import { absoluteRemoteUrl } from "./remote-url.js";

/**
 * Pushes a commit from a throwaway bare repository that okstra alone creates
 * and configures, borrowing the objects of the workspace (and of the mirror)
 * through alternates.
 *
 * Why not push from the workspace itself: by then a worker has run there, and
 * anything it wrote into `.git/config` — a `core.hooksPath` set by husky
 * during `npm install`, a rewritten `remote.origin.url`, a `url.*.insteadOf` —
 * would apply to the one command that carries the token (git hands `-c`
 * settings to every hook it starts, in GIT_CONFIG_PARAMETERS). A repository
 * created a moment ago, pushing to a URL named on the command line, has no
 * such settings; objects are only data.
 *
 * Never `--force`: the lease `refs/heads/<branch>:<expected>` (empty: the
 * branch must not exist) makes the remote refuse when its branch is not where
 * we expect, and the ancestry check below refuses before pushing anything
 * that is not a fast-forward of `expected`. Together: foreign commits are
 * never overwritten, and our own history is never rewritten.
 */

export interface TrustedPush {
  remote: GitRemote;
  branch: string;
  commit: string;
  expectedRemoteHead: string | null;
  /** Object directories that together hold `commit` and `expectedRemoteHead`. */
  objectDirectories: string[];
  /** Where the throwaway repository is made (the run directory, outside the worker's tree). */
  scratchDir: string;
  log?: Logger;
  timeoutMs?: number;
  /**
   * Allow a push that is not a fast-forward (SPEC §15.4: replaying a stage's
   * own commits after a squash or rebase merge of its dependency). Still
   * leased to `expectedRemoteHead`; that head is pushed to `keep` in the same
   * push, so the history it replaces stays reachable.
   */
  rewrite?: { keep: string };
  /**
   * Other branches that move with this one, in the same atomic push (all or
   * none), each under its own lease: a stage branch replayed onto its rebuilt
   * `s<S>-base` must not land without it, nor the base without the branch.
   */
  alongside?: BranchUpdate[];
}

/** One more branch of an atomic push: the same rules as the main one. */
export interface BranchUpdate {
  branch: string;
  commit: string;
  expectedRemoteHead: string | null;
  rewrite?: { keep: string };
}

export interface PushResult {
  branch: string;
  commit: string;
  /** False when the remote already had exactly this commit. */
  updated: boolean;
}

const DEFAULT_PUSH_TIMEOUT_MS = 10 * 60_000;

export async function pushFromTrustedRepository(request: TrustedPush): Promise<PushResult> {
  const repo = join(request.scratchDir, `push-${randomBytes(4).toString("hex")}.git`);
  try {
    await git(["init", "--bare", "--quiet", "--template=", repo], { cwd: request.scratchDir });
    await writeFile(join(repo, "objects", "info", "alternates"), `${request.objectDirectories.join("\n")}\n`);
    for (const update of updatesOf(request)) {
      await git(["update-ref", `refs/heads/${update.branch}`, update.commit], { cwd: repo });
      if (!update.rewrite) await refuseIfNotFastForward(repo, update);
    }
    return await push(repo, request);
  } finally {
    await rm(repo, { recursive: true, force: true });
  }
}

function updatesOf(request: TrustedPush): BranchUpdate[] {
  return [request, ...(request.alongside ?? [])];
}

async function refuseIfNotFastForward(repo: string, request: BranchUpdate): Promise<void> {
  const expected = request.expectedRemoteHead;
  if (expected === null) return;
  const check = await git(["merge-base", "--is-ancestor", expected, request.commit], { cwd: repo, allowFailure: true });
  if (check.exitCode === 0) return;
  const detail =
    check.exitCode === 1 ? `${request.commit} does not contain ${expected}` : `${expected} is not a known commit`;
  throw new PushRejectedError(request.branch, "not-fast-forward", expected, undefined, detail);
}

async function push(repo: string, request: TrustedPush): Promise<PushResult> {
  const updates = updatesOf(request);
  const refOf = (update: BranchUpdate) => `refs/heads/${update.branch}`;
  const url = absoluteRemoteUrl(request.remote.url);
  const leases = updates.map((u) => `--force-with-lease=${refOf(u)}:${u.expectedRemoteHead ?? ""}`);
  const keeps = updates.flatMap((u) =>
    u.rewrite && u.expectedRemoteHead ? [`${u.expectedRemoteHead}:${u.rewrite.keep}`] : [],
  );
  const atomic = keeps.length > 0 || updates.length > 1 ? ["--atomic"] : [];
  const refspecs = updates.map((u) => `${refOf(u)}:${refOf(u)}`);
  const args = [...NO_HOOKS, "push", "--porcelain", "--no-verify", ...atomic, ...leases, url, ...refspecs, ...keeps];
  const result = await git(args, {
    cwd: repo,
    extraHeader: request.remote.extraHeader,
    allowFailure: true,
    timeoutMs: request.timeoutMs ?? DEFAULT_PUSH_TIMEOUT_MS,
  });
  const lines = result.stdout.split("\n");
  const statusOf = (update: BranchUpdate) =>
    lines.find((line) => line.includes(`\t${refOf(update)}:${refOf(update)}\t`));
  const statuses = updates.map((update) => ({ update, status: statusOf(update) }));
  if (result.exitCode === 0 && statuses.every((s) => s.status)) {
    for (const { update } of statuses)
      request.log?.info({ branch: update.branch, commit: update.commit }, "branch pushed");
    return { branch: request.branch, commit: request.commit, updated: !statuses[0]!.status!.startsWith("=") };
  }
  const refused = statuses.filter((s) => s.status?.startsWith("!"));
  if (refused.length === 0) throw new GitError(args, result.exitCode, result.stderr); // transport or auth failure
  // In an atomic push every ref is refused; the one the remote refused for a reason of its own is the one to name.
  const { update, status } = refused.find((s) => !s.status!.includes("atomic push failed")) ?? refused[0]!;
  const summary = status!.split("\t")[2] ?? "";
  const actual = await remoteHead(repo, request.remote, update.branch);
  request.log?.warn({ branch: update.branch, expected: update.expectedRemoteHead, actual, summary }, "push refused");
  const reason = rejectionReason(summary);
  throw new PushRejectedError(
    update.branch,
    reason,
    update.expectedRemoteHead,
    actual,
    reason === "missing-permission" ? missingPermissionDetail(summary) : summary,
  );
}

/**
 * GitHub refuses an App's push that creates or edits a workflow file unless
 * the App holds `workflows: write`: `[remote rejected] (refusing to allow a
 * GitHub App to create or update workflow `.github/workflows/ci.yml` without
 * `workflows` permission)`.
 */
const MISSING_PERMISSION = /without `(\w+)` permission/;

/** What a person has to do, naming the permission and the file GitHub named. */
export function missingPermissionDetail(summary: string): string {
  const permission = MISSING_PERMISSION.exec(summary)?.[1] ?? "a";
  const file = /workflow `([^`]+)`/.exec(summary)?.[1];
  return `GitHub refused the push: the okstra App lacks the \`${permission}\` permission${file ? ` needed to change \`${file}\`` : ""}. An owner grants it in the App's settings (Permissions → ${permission}: read and write) and accepts it on the installation, then \`/okstra retry\`. (${summary})`;
}

export function rejectionReason(summary: string): PushRejectionReason {
  if (MISSING_PERMISSION.test(summary)) return "missing-permission";
  if (summary.includes("stale info")) return "stale-lease";
  if (/non-fast-forward|fetch first/.test(summary)) return "not-fast-forward";
  return "rejected";
}

/** The branch's head on the remote now (null: absent; undefined: could not be read). */
async function remoteHead(repo: string, remote: GitRemote, branch: string): Promise<string | null | undefined> {
  const ref = `refs/heads/${branch}`;
  const args = [...NO_HOOKS, "ls-remote", absoluteRemoteUrl(remote.url), ref];
  const result = await git(args, {
    cwd: repo,
    extraHeader: remote.extraHeader,
    allowFailure: true,
    timeoutMs: 60_000,
  });
  if (result.exitCode !== 0) return undefined;
  const line = result.stdout.split("\n").find((entry) => entry.endsWith(`\t${ref}`));
  return line ? line.split("\t")[0] : null;
}
