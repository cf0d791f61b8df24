/**
 * Consistent task logging: `info` to stdout for results, `warn`/`error` to stderr with a prefix,
 * `debug` only when `LOG_LEVEL=debug`. Messages are plain text; secrets never belong in them.
 *
 * @example
 * ```ts
 * import { createLogger } from "./log.ts";
 * const log = createLogger("apply");
 * log.info("Created feature view credit_history");
 * ```
 * @module
 */

/** Severity levels, lowest first. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** A logger bound to a task or component name. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Lowest level printed (default `$LOG_LEVEL` or "info"). */
  level?: LogLevel;
  /** Sinks (default console.log for info/debug, console.error for warn/error). */
  out?: (line: string) => void;
  err?: (line: string) => void;
}

/**
 * Creates a logger; `info` lines are printed as given, other levels as `[name] level: message`.
 *
 * @example
 * ```ts
 * const lines: string[] = [];
 * const log = createLogger("demo", { out: (l) => lines.push(l), err: (l) => lines.push(l) });
 * log.warn("3 rows late");
 * // lines = ["[demo] warn: 3 rows late"]
 * ```
 */
export function createLogger(name: string, opts: LoggerOptions = {}): Logger {
  const envLevel = safeEnv("LOG_LEVEL") as LogLevel | undefined;
  const level = opts.level ?? (envLevel && envLevel in ORDER ? envLevel : "info");
  const out = opts.out ?? ((line: string) => console.log(line));
  const err = opts.err ?? ((line: string) => console.error(line));
  const emit = (at: LogLevel, message: string) => {
    if (ORDER[at] < ORDER[level]) return;
    if (at === "info") out(message);
    else (at === "debug" ? out : err)(`[${name}] ${at}: ${message}`);
  };
  return {
    debug: (m) => emit("debug", m),
    info: (m) => emit("info", m),
    warn: (m) => emit("warn", m),
    error: (m) => emit("error", m),
  };
}

/** A logger that drops everything (tests, library calls that should stay quiet). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

function safeEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}
