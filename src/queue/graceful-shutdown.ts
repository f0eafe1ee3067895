import type { EventEmitter } from "node:events";

export type ShutdownSignal = "SIGTERM" | "SIGINT";

/** Resolves with the first SIGTERM or SIGINT; the listeners are removed so a second signal is left to the caller. */
export function nextShutdownSignal(signals: EventEmitter = process): Promise<ShutdownSignal> {
  return new Promise((resolve) => {
    const on = (signal: ShutdownSignal) => () => {
      signals.off("SIGTERM", onTerm);
      signals.off("SIGINT", onInt);
      resolve(signal);
    };
    const onTerm = on("SIGTERM");
    const onInt = on("SIGINT");
    signals.on("SIGTERM", onTerm);
    signals.on("SIGINT", onInt);
  });
}

/**
 * Runs `close` (a Worker's graceful close: stop taking jobs, wait for the
 * running ones) for at most `graceMs`. "timed-out" means a job is still
 * running: the caller exits the process, the job's lock is no longer
 * renewed, and once it expires (`lockDuration`) another worker's stalled
 * check puts the job back in the queue and runs it again.
 */
export async function closeWithinGrace(close: () => Promise<void>, graceMs: number): Promise<"closed" | "timed-out"> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<"timed-out">((resolve) => {
    timer = setTimeout(() => resolve("timed-out"), graceMs);
  });
  try {
    return await Promise.race([close().then(() => "closed" as const), expired]);
  } finally {
    clearTimeout(timer);
  }
}
