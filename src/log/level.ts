/**
 * `--log-level`: which access-log lines and messages are printed. `info`
 * (the default) prints every request; `warn` only the refused and failed ones
 * (4xx, 5xx) and warnings; `error` only 5xx and errors.
 */
import type { AccessLogEntry } from "./entry.ts";

/** The levels, most verbose first. */
export const LOG_LEVELS = ["info", "warn", "error"] as const;
/** One of LOG_LEVELS. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Whether a string names a level. */
export function isLogLevel(s: string): s is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(s);
}

/** The level of a request's access-log line, from its status. */
export function accessLevel(e: Pick<AccessLogEntry, "status">): LogLevel {
  return e.status >= 500 ? "error" : e.status >= 400 ? "warn" : "info";
}

/** Whether a line of `line` level is printed under `threshold`. */
export function enabled(threshold: LogLevel, line: LogLevel): boolean {
  return LOG_LEVELS.indexOf(line) >= LOG_LEVELS.indexOf(threshold);
}
