export { createLocalPlatform, DEFAULT_BOT_LOGIN, type LocalPlatformOptions } from "./platform.js";
export { LocalPlatformError } from "./errors.js";
export { PERMISSIONS_FILE } from "./permissions.js";
export { STORE_DIRNAME, storePath } from "./store.js";
export {
  addLocalComment,
  createLocalIssue,
  listLocalCheckRuns,
  listLocalPulls,
  readLocalComments,
  readLocalIssue,
  readLocalPull,
  type LocalCheckRun,
  type LocalComment,
  type LocalIssue,
  type LocalPull,
  type LocalReaction,
} from "./records.js";
