/**
 * SIGHUP's reload as a pure step over injected loaders: load the config
 * again and build what serves it; on any problem the caller keeps the old one.
 */
import { formatProblems } from "../config/format.ts";
import type { Config, ConfigProblem } from "../config/types.ts";
import { err, ok, type Result } from "../result.ts";
import type { LoadedConfig } from "./load_config.ts";

/** What a reload runs. */
export interface ReloadOptions<T> {
  /** Loads the config (loadConfig with the process's flags). */
  readonly load: () => Promise<LoadedConfig>;
  /** Makes a config ready to serve, or says why it cannot be. */
  readonly build: (config: Config) => Result<T, ConfigProblem[]>;
}

/** A reload that worked: what now serves, and the name of the config it came from. */
export interface Reloaded<T> {
  readonly serving: T;
  readonly name: string;
}

/** Loads and builds; the error is the message to print ("reload refused; keeping the old config: …"). */
export async function reload<T>(options: ReloadOptions<T>): Promise<Result<Reloaded<T>, string>> {
  const { source, loaded } = await options.load();
  if (!loaded.ok) return err(refused(loaded.error, source.name));
  const next = options.build(loaded.value);
  if (!next.ok) return err(refused(next.error, source.name));
  return ok({ serving: next.value, name: source.name });
}

function refused(problems: readonly ConfigProblem[], name: string): string {
  return `reload refused; keeping the old config:\n${formatProblems(problems, name)}`;
}
