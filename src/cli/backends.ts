/** The backends of a config, one per bucket, or a problem per bucket whose backend cannot be made. */
import type { Backend } from "../backends/backend.ts";
import { type BackendDeps, createBackend } from "../backends/factory.ts";
import type { Config, ConfigProblem } from "../config/types.ts";
import { err, ok, type Result } from "../result.ts";

/** Creates every bucket's backend, by bucket name; the problems name `buckets[i]`. */
export function buildBackends(
  config: Config,
  deps: BackendDeps = {},
): Result<Map<string, Backend>, ConfigProblem[]> {
  const backends = new Map<string, Backend>();
  const problems: ConfigProblem[] = [];
  config.buckets.forEach((b, i) => {
    const made = createBackend(b, deps);
    if (made.ok) backends.set(b.name, made.value);
    else problems.push({ path: `buckets[${i}]`, message: made.error.message });
  });
  return problems.length > 0 ? err(problems) : ok(backends);
}
