/**
 * Typed workspace failures (STYLE §10): the engine renders these as stage
 * outcomes instead of matching on git's stderr.
 */

/** Merging dependency heads conflicted; the workspace was restored to where the merge started. */
export class MergeConflictError extends Error {
  constructor(
    readonly branch: string,
    /** The head whose merge conflicted (as given to `mergeInto`). */
    readonly head: string,
    /** Conflicting paths, sorted. */
    readonly paths: string[],
  ) {
    super(`merging ${head} into ${branch} conflicts in ${paths.join(", ")}`);
    this.name = "MergeConflictError";
  }
}

export type PushRejectionReason =
  /** The remote branch is not at the commit we expected: someone else pushed (foreign commits). */
  | "stale-lease"
  /** Our branch does not contain the expected remote head, so pushing would drop commits. */
  | "not-fast-forward"
  /** The App lacks a permission the push needs (GitHub: `workflows` for `.github/workflows/*`); the detail names it. */
  | "missing-permission"
  /** The remote refused for another reason (protected branch, hook, …). */
  | "rejected";

/** A push okstra refused to make, or the remote refused to take. Nothing on the remote was overwritten. */
export class PushRejectedError extends Error {
  constructor(
    readonly branch: string,
    readonly reason: PushRejectionReason,
    readonly expectedRemoteHead: string | null,
    /** The branch's head on the remote when the push failed, when it could be read (null: no such branch). */
    readonly actualRemoteHead: string | null | undefined,
    readonly detail: string,
  ) {
    super(`push of ${branch} refused (${reason}): ${detail}`);
    this.name = "PushRejectedError";
  }
}

/** A revision that is neither in the workspace, nor in the mirror, nor fetchable from the remote. */
export class UnknownRevisionError extends Error {
  constructor(readonly revision: string) {
    super(`unknown revision ${revision}`);
    this.name = "UnknownRevisionError";
  }
}

/** A remote URL carrying credentials: it would end up in `.git/config`, so it is refused. */
export class CredentialInUrlError extends Error {
  constructor() {
    // The URL itself is deliberately not part of the message: it holds the secret.
    super("the remote URL carries credentials; pass them as GitRemote.extraHeader instead");
    this.name = "CredentialInUrlError";
  }
}

/** A branch name git would refuse, or one that could be read as an option. */
export class InvalidBranchNameError extends Error {
  constructor(readonly branch: string) {
    super(`invalid branch name ${JSON.stringify(branch)}`);
    this.name = "InvalidBranchNameError";
  }
}
