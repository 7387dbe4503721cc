/**
 * Configs built in code start from what `parseConfig` gives a config that
 * sets nothing but an empty bucket list, so a hand-built config runs with
 * the defaults a config file gets (the idle timeout, trusted proxies, …)
 * and a new setting needs no edit here.
 */
import { parseConfig } from "../../src/config/load.ts";
import type { Config } from "../../src/config/types.ts";

/** The config `buckets: []` parses to: every setting at its default, no buckets, roles or keys. */
export function defaultConfig(): Config {
  const parsed = parseConfig("buckets: []\n", () => undefined);
  if (!parsed.ok) throw new Error(`the default config does not parse: ${JSON.stringify(parsed)}`);
  return parsed.value;
}
