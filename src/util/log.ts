import { pino, type DestinationStream, type Logger } from "pino";

export type { Logger };

/**
 * The process-wide root logger. Handlers and jobs log through child loggers
 * that carry `task`, `run` and `stage`, so every line can be traced.
 */
export function createLogger(options: { level?: string; destination?: DestinationStream } = {}): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? "info";
  return options.destination ? pino({ level }, options.destination) : pino({ level });
}

/** A logger that drops everything, for the CLI's quiet mode and tests. */
export const silentLogger: Logger = pino({ level: "silent" });
