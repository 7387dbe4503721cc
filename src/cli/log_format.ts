/**
 * The access log's lines (`--log-format json|text`) and the logger that
 * prints those `--log-level` lets through, onto an injected line sink.
 */
import type { AccessLogEntry } from "../access_log.ts";
import { accessLogJson, accessLogText } from "../access_log_format.ts";
import { accessLevel, enabled, type LogLevel } from "../log_level.ts";
import type { LogFormat } from "./flags.ts";

/** Takes one line without its newline (main.ts's buffered stdout). */
export type WriteLine = (line: string) => void;

/** What makeLogger prints, and where. */
export interface LoggerOptions {
  readonly format: LogFormat;
  readonly level: LogLevel;
  readonly write: WriteLine;
}

/** The access-log function: writes an entry's line when its level is enabled. */
export function makeLogger(options: LoggerOptions): (e: AccessLogEntry) => void {
  const { level } = options;
  const print = formatter(options.format, options.write);
  return (e) => {
    if (enabled(level, accessLevel(e))) print(e);
  };
}

/** Writes each entry as one line: its JSON, or the text form (both escape controls). */
export function formatter(format: "json" | "text", write: WriteLine): (e: AccessLogEntry) => void {
  const line = format === "json" ? accessLogJson : accessLogText;
  return (e) => write(line(e));
}
