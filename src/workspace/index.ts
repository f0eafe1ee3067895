/** The workspace module's public surface: ephemeral run clones over a per-repository mirror cache. */
export {
  openWorkspace,
  withWorkspace,
  Workspace,
  type MergeHead,
  type OpenWorkspaceOptions,
  type RemoteSource,
  type WorkspaceBase,
} from "./workspace.js";
export {
  defaultCacheDir,
  mirrorPath,
  refreshMirror,
  withFreshMirror,
  type Mirror,
  type MirrorCacheOptions,
} from "./mirror-cache.js";
export { defaultWorkspaceRoot, sweepOrphanedWorkspaces } from "./run-directory.js";
export {
  CredentialInUrlError,
  InvalidBranchNameError,
  MergeConflictError,
  PushRejectedError,
  UnknownRevisionError,
  type PushRejectionReason,
} from "./errors.js";
export { LockTimeoutError } from "./file-lock.js";
export type { ChangedFile, CommitInfo, FileAddedLines, AddedLine, FileChangeStatus } from "./git-output.js";
export type { PushResult } from "./trusted-push.js";
