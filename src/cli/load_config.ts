/**
 * The config as main.ts loads it at start and on SIGHUP: its source read
 * through an injected reader, parsed and validated, then `--listen` and
 * `--domain` applied. A source that cannot be read is one problem, not a throw.
 */
import { dirname, isAbsolute, join } from "node:path";
import type { EnvLookup } from "../config/interpolate.ts";
import { parseConfig } from "../config/load.ts";
import type { ReadPolicyFile } from "../config/policies.ts";
import type { Config, ConfigProblem } from "../config/types.ts";
import { err, ok, type Result } from "../result.ts";
import type { Flags } from "./flags.ts";

/** A config's text and the name its problems are reported under. */
export interface ConfigSource {
  readonly name: string;
  readonly text: string;
}

/** Reads the `--config` file (undefined: ./config.yaml, else the embedded one); may reject. */
export type ReadSource = (path: string | undefined) => Promise<ConfigSource>;

/** A load's outcome: the source it read and the config or its problems. */
export interface LoadedConfig {
  readonly source: ConfigSource;
  readonly loaded: Result<Config, ConfigProblem[]>;
}

/** What loadConfig reads through. */
export interface LoadConfigOptions {
  readonly read: ReadSource;
  /** The environment for the config's `${VAR}`s. */
  readonly env: EnvLookup;
  /** Reads a `policy_file` relative to the config file; absent: `policy_file` is a problem. */
  readonly readPolicyFile?: ReadPolicyFile;
}

/**
 * Reads a `policy_file` relative to the config file at `configPath` (./config.yaml
 * when absent) through `readText`; an absolute path is read as it is.
 */
export function policyFileReader(
  configPath: string | undefined,
  readText: (path: string) => string,
): ReadPolicyFile {
  const base = dirname(configPath ?? "config.yaml");
  return (path) => readText(isAbsolute(path) ? path : join(base, path));
}

/** Reads, parses and validates the config, with the flags' overrides applied. */
export async function loadConfig(
  flags: Pick<Flags, "config" | "listen" | "domain">,
  options: LoadConfigOptions,
): Promise<LoadedConfig> {
  let source: ConfigSource;
  try {
    source = await options.read(flags.config);
  } catch (e) {
    // At start this ends the process; on SIGHUP the old config stays.
    const message = `cannot read the file: ${e instanceof Error ? e.message : String(e)}`;
    return {
      source: { name: flags.config ?? "config.yaml", text: "" },
      loaded: err([{ path: "", message }]),
    };
  }
  const parsed = parseConfig(
    source.text,
    options.env,
    options.readPolicyFile ? { readPolicyFile: options.readPolicyFile } : {},
  );
  if (!parsed.ok) return { source, loaded: parsed };
  let config = parsed.value;
  if (flags.listen) config = { ...config, listen: flags.listen };
  if (flags.domain) config = { ...config, domain: flags.domain };
  return { source, loaded: ok(config) };
}
