/** The logging hook: the library never writes to the console itself. */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * Receives the library's log lines. `fields` carries structured context (`msg_type`, `msg_id`,
 * `err`, …). Pass your logger's method, e.g.
 * `(level, message, fields) => pino[level](fields ?? {}, message)`.
 */
export type Logger = (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;

/** The default: drops everything. */
export const silentLogger: Logger = () => undefined;

/** Calls `logger`, and swallows what it throws: a broken logger must not break a call. */
export function safeLogger(logger: Logger): Logger {
  return (level, message, fields) => {
    try {
      logger(level, message, fields);
    } catch {
      // nothing sensible to do with it
    }
  };
}
