/**
 * The command line: `parseArgs` output validated into typed {@link Flags}, or
 * the one message to print before exiting 2. Nothing here prints or exits.
 */
import { parseArgs } from "node:util";
import { MAX_WORKERS, parseWorkerCount } from "../config/load.ts";
import type { WorkerCount } from "../config/types.ts";
import { isLogLevel, LOG_LEVELS, type LogLevel } from "../log/level.ts";
import { err, ok, type Result } from "../result.ts";

/** An access-log line format (`--log-format`). */
export type LogFormat = "json" | "text";

/** The flags of a run that serves (or checks the config). */
export interface Flags {
  /** `--config`: the config file; absent means ./config.yaml, else the embedded one. */
  readonly config?: string;
  /** `--listen`: overrides the config's `listen`. */
  readonly listen?: string;
  /** `--domain`: overrides the config's `domain`. */
  readonly domain?: string;
  /** `--admin-listen` as HOST:PORT (a bare port is given host 127.0.0.1). */
  readonly adminListen?: string;
  /** `--check-config`: validate, report, exit. */
  readonly checkConfig: boolean;
  readonly logFormat: LogFormat;
  readonly logLevel: LogLevel;
  /** `--workers`: isolates serving the port (wins over the config's `workers:`). */
  readonly workers?: WorkerCount;
}

/** What the command line asks for: the help, the version, or a run with its flags. */
export type CliAction =
  | { readonly kind: "help" }
  | { readonly kind: "version" }
  | { readonly kind: "run"; readonly flags: Flags };

const OPTIONS = {
  config: { type: "string" },
  listen: { type: "string" },
  domain: { type: "string" },
  "check-config": { type: "boolean", default: false },
  "admin-listen": { type: "string" },
  "log-format": { type: "string", default: "json" },
  "log-level": { type: "string", default: "info" },
  workers: { type: "string" },
  version: { type: "boolean", default: false },
  help: { type: "boolean", default: false },
} as const;

/**
 * Reads the arguments (without the program name). The error is the first
 * thing wrong, in the order checked: unknown flags and positionals, then
 * `--log-format`, then `--log-level`, then `--workers`; `--help` and
 * `--version` win over the last three.
 */
export function parseFlags(args: readonly string[]): Result<CliAction, string> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      options: OPTIONS,
      strict: true,
      allowPositionals: false,
    });
  } catch (e) {
    return err(`${e instanceof Error ? e.message : String(e)} (see --help)`);
  }
  const v = parsed.values;
  if (v.help) return ok({ kind: "help" });
  if (v.version) return ok({ kind: "version" });
  const logFormat = v["log-format"];
  if (logFormat !== "json" && logFormat !== "text") return err("--log-format must be json or text");
  const logLevel = v["log-level"] ?? "info";
  if (!isLogLevel(logLevel)) return err(`--log-level must be one of ${LOG_LEVELS.join(", ")}`);
  const workers = v.workers === undefined ? undefined : parseWorkerCount(v.workers);
  if (v.workers !== undefined && workers === undefined) {
    return err(`--workers must be auto or an integer from 1 to ${MAX_WORKERS}, got '${v.workers}'`);
  }
  return ok({
    kind: "run",
    flags: {
      ...(v.config !== undefined ? { config: v.config } : {}),
      ...(v.listen !== undefined ? { listen: v.listen } : {}),
      ...(v.domain !== undefined ? { domain: v.domain } : {}),
      ...(v["admin-listen"] !== undefined ? { adminListen: adminAddress(v["admin-listen"]) } : {}),
      checkConfig: v["check-config"] ?? false,
      logFormat,
      logLevel,
      ...(workers !== undefined ? { workers } : {}),
    },
  });
}

/** `--admin-listen`'s value as HOST:PORT: a bare port listens on 127.0.0.1. */
function adminAddress(value: string): string {
  return /^\d+$/.test(value) ? `127.0.0.1:${value}` : value;
}
