export type { SandboxAccess } from "./access.js";
export { bwrapCommand, type SandboxedCommand } from "./bwrap-args.js";
export {
  assertSandboxReady,
  sandboxOffNotice,
  sandboxState,
  SandboxUnavailableError,
  SANDBOX_HELP,
  type SandboxState,
} from "./policy.js";
export { forgetClone, trustClone } from "./trusted-clones.js";
export { resolveExecutable } from "./view.js";
