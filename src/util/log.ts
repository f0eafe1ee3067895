import { pino, type DestinationStream, type Logger, type LoggerOptions } from "pino";
import { redactSecrets } from "./redact.js";

export type { Logger };

/**
 * The process-wide root logger. Handlers and jobs log through child loggers
 * that carry `task`, `run` and `stage`, so every line can be traced.
 */
export function createLogger(options: { level?: string; destination?: DestinationStream } = {}): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? "info";
  return options.destination ? pino(loggerOptions(level), options.destination) : pino(loggerOptions(level));
}

/** Every log line passes the one redaction point (SPEC §14.3) on its way out. */
export function loggerOptions(level: string): LoggerOptions {
  return { level, hooks: { streamWrite: (line) => redactSecrets(line) } };
}

/** A logger that drops everything, for the CLI's quiet mode and tests. */
export const silentLogger: Logger = pino({ level: "silent" });

/**
 * A child logger with these bindings, leaving out the ones its parent
 * already carries with the same value: pino writes a repeated key twice, and
 * some log stores reject a line with duplicate keys. Undefined values are
 * not bound.
 */
export function childLogger(parent: Logger, bindings: Record<string, unknown>): Logger {
  const bound = parent.bindings();
  const fresh = Object.fromEntries(
    Object.entries(bindings).filter(([key, value]) => value !== undefined && bound[key] !== value),
  );
  return Object.keys(fresh).length === 0 ? parent : parent.child(fresh);
}
