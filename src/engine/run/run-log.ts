import { childLogger, type Logger } from "../../util/log.js";

/** For each logger `runLogger` made, the logger it was made from: the one without `run`. */
const withoutRun = new WeakMap<Logger, Logger>();

/**
 * The job's logger with `run` bound, so every line a run writes names it.
 * A run started inside another (autoVerify's verification inside an
 * implementation command) gets its own `run` instead of a second one.
 */
export function runLogger(log: Logger, run: string): Logger {
  const base = withoutRun.get(log) ?? log;
  const child = childLogger(base, { run });
  if (child !== base) withoutRun.set(child, base);
  return child;
}

/** The run's logger with `stage` bound, for the work on one stage. */
export function stageLogger(log: Logger, stage: number): Logger {
  return childLogger(log, { stage });
}
