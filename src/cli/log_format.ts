/**
 * The access log's lines (`--log-format json|text`) and the logger that
 * prints those `--log-level` lets through, onto an injected line sink.
 */
import type { AccessLogEntry } from "../log/entry.ts";
import { accessLogJson, accessLogText } from "../log/format.ts";
import { accessLevel, enabled, type LogLevel } from "../log/level.ts";
import type { LogFormat } from "./flags.ts";

/** Takes one line without its newline (main.ts's buffered stdout). */
export type WriteLine = (line: string) => void;

/** What makeLogger prints, and where. */
export interface LoggerOptions {
  readonly format: LogFormat;
  readonly level: LogLevel;
  readonly write: WriteLine;
  /** The worker of `--workers N` that writes (1-based): each line names it. */
  readonly worker?: number;
}

/** The access-log function: writes an entry's line when its level is enabled. */
export function makeLogger(options: LoggerOptions): (e: AccessLogEntry) => void {
  const { level } = options;
  const { worker, write } = options;
  const print = formatter(
    options.format,
    worker === undefined ? write : (line) => {
      write(withWorker(options.format, line, worker));
    },
  );
  return (e) => {
    if (enabled(level, accessLevel(e))) print(e);
  };
}

/** Writes each entry as one line: its JSON, or the text form (both escape controls). */
export function formatter(format: "json" | "text", write: WriteLine): (e: AccessLogEntry) => void {
  const line = format === "json" ? accessLogJson : accessLogText;
  return (e) => write(line(e));
}

/** A line with its worker: a last JSON member `"worker":N`, or ` worker=N` after the text. */
export function withWorker(format: LogFormat, line: string, worker: number): string {
  return format === "json"
    ? `${line.slice(0, -1)},"worker":${worker}}`
    : `${line} worker=${worker}`;
}
