import type { Logger } from "../util/log.js";
import { defaultWorkspaceRoot, sweepOrphanedWorkspaces } from "./run-directory.js";

/** How often a long-lived process looks for run directories left by dead processes on its host. */
export const SWEEP_INTERVAL_MS = 60_000;

/**
 * Crash recovery on this host's disk (SPEC §10): at start and then every
 * minute, the run directories whose owning process died (SIGKILL, OOM, a
 * crash) are removed, with any process still working in them. The ledger
 * side — expired leases becoming `abandoned` — is the recovery check's.
 * Returns the function that stops it.
 */
export function startOrphanSweeper(log: Logger, options: { root?: string; intervalMs?: number } = {}): () => void {
  const root = options.root ?? defaultWorkspaceRoot();
  let running = false;
  const sweep = async () => {
    if (running) return;
    running = true;
    try {
      const removed = await sweepOrphanedWorkspaces(root);
      if (removed.length > 0) log.warn({ removed }, "removed run directories left by processes that died");
    } catch (error) {
      log.warn({ err: error, root }, "could not sweep orphaned run directories");
    } finally {
      running = false;
    }
  };
  void sweep();
  const timer = setInterval(() => void sweep(), options.intervalMs ?? SWEEP_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
