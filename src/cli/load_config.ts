/**
 * The config as main.ts loads it at start and on SIGHUP: its source read
 * through an injected reader, parsed and validated, then `--listen` and
 * `--domain` applied. A source that cannot be read is one problem, not a throw.
 */
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

const NOT_ENFORCED =
  "is read and checked, but the request path does not enforce policies yet (issue 28): " +
  "bucketgate refuses to start rather than ignore a Deny; remove it for now";

/**
 * Until the evaluator decides requests, a config with IAM policies is refused:
 * serving it would silently drop every Deny they hold.
 */
export function unenforcedPolicies(config: Config): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (config.policies) problems.push({ path: "policies", message: NOT_ENFORCED });
  config.buckets.forEach((b, i) => {
    if (b.bucketPolicy) {
      problems.push({ path: `buckets[${i}].bucket_policy`, message: NOT_ENFORCED });
    }
  });
  return problems;
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
  const unenforced = unenforcedPolicies(parsed.value);
  if (unenforced.length > 0) return { source, loaded: err(unenforced) };
  let config = parsed.value;
  if (flags.listen) config = { ...config, listen: flags.listen };
  if (flags.domain) config = { ...config, domain: flags.domain };
  return { source, loaded: ok(config) };
}
