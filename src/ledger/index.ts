/**
 * The ledger's public surface: what the engine, the CLI and the handlers use.
 * Everything else in this folder is an implementation detail of these.
 */
export { Ledger, DEFAULT_MAX_ATTEMPTS, type LedgerOptions, type MutationOutcome } from "./ledger.js";
export {
  appendRowsWithFilesMutation,
  completeRows,
  jsonFileText,
  type Mutation,
  type MutationPlan,
  type ClaimResult,
} from "./mutations.js";
export { createLocalLedgerStore, type LocalLedgerStoreOptions } from "./local-store.js";
export { createGitHubLedgerStore, type GitHubLedgerStoreOptions, type GitHubWriteRecipe } from "./github-store.js";
export type { LedgerStore, LedgerSnapshot, CommitOutcome, CommitRequest, FileChanges } from "./store.js";
export { ObjectCache } from "./object-cache.js";
export {
  readMeta,
  readPlan,
  readRows,
  readTaskFrom,
  taskPath,
  type TaskLedger,
} from "./task-ledger.js";
export {
  approvePlanMutation,
  persistPlanMutation,
  type PersistedPlan,
  type PlanApproval,
  type PlanVersionBuilder,
} from "./plan-mutations.js";
export {
  recordHeadMovesMutation,
  type DoneStageState,
  type HeadMove,
  type RecordedHeadMove,
} from "./head-moves-mutation.js";
export {
  NATIVE_STACKS_FILE,
  nativeStacksUnavailable,
  rememberNativeStacksUnavailableMutation,
} from "./native-stacks-file.js";
export { recoverTaskMutation, type ClosedRunText, type RecoveredTask } from "./recovery-mutation.js";
export { openRestackConflict } from "./needs-restack.js";
export { SHIP_CLAIMS_FILE, type ShipClaim } from "./ship-claims-file.js";
export {
  claimShipStagesMutation,
  recordGroupPrMutation,
  releaseShipClaimsMutation,
  type ShipClaimRequest,
} from "./ship-claims-mutations.js";
export {
  DuplicateTriggerError,
  RUN_PREFIX,
  startVerificationRunMutation,
  type StartedRun,
  type StartRunInput,
  type TaskRun,
  type TaskSpend,
  type VerificationRunStart,
} from "./runs.js";
export { taskWithStageDone, type StageDone } from "./stage-done.js";
export * from "./errors.js";
export * from "./rows.js";
export * from "./files.js";
export * from "./derive.js";
export { LEDGER_BRANCH, LEDGER_REF, TASK_FILES, taskDir, carryFile, runFile } from "./paths.js";
