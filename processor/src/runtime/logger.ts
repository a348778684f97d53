// The processor's own log lines go to stderr, one line each, filtered by FLYWHEEL_LOG_LEVEL.

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface Logger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

export function createLogger(level: LogLevel, write: (line: string) => void = (l) => process.stderr.write(l)): Logger {
  const at = (lineLevel: LogLevel) => (message: string) => {
    if (RANK[lineLevel] <= RANK[level]) write(`${new Date().toISOString()} ${lineLevel.padEnd(5)} ${message}\n`);
  };
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}

/** A logger that drops everything (tests, benchmarks). */
export const silentLogger: Logger = { error() {}, warn() {}, info() {}, debug() {} };

/**
 * A log function that writes at most one line per `everyMs`; the lines dropped in between are
 * counted in the next one written. For lines that come with every request under overload
 * (each shed batch), where one line a second says as much as thousands.
 */
export function throttled(write: (message: string) => void, everyMs: number, now: () => number = () => performance.now()): (message: string) => void {
  let lastAt = -Infinity;
  let dropped = 0;
  return (message) => {
    const t = now();
    if (t - lastAt < everyMs) {
      dropped++;
      return;
    }
    write(dropped > 0 ? `${message} (${dropped} similar line(s) dropped since the last one)` : message);
    lastAt = t;
    dropped = 0;
  };
}
