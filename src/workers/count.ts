/**
 * How many isolates serve the port: `--workers` wins over the config's
 * `workers:`, the default is one, and `auto` is one per CPU. Pure: the CPU
 * count and the operating system are passed in.
 */
import { MAX_WORKERS } from "../config/load.ts";
import type { WorkerCount } from "../config/types.ts";
import { err, ok, type Result } from "../result.ts";

/** What decides the number of workers. */
export interface WorkerCountInputs {
  /** `--workers`, when given. */
  readonly flag?: WorkerCount;
  /** The config's `workers:`, when set. */
  readonly config?: WorkerCount;
  /** `navigator.hardwareConcurrency`. */
  readonly cpus: number;
  /** `Deno.build.os`. */
  readonly os: string;
}

/**
 * The number of workers to run, or the message to exit 2 with: more than one
 * needs SO_REUSEPORT's load balancing, which bucketgate relies on only on Linux.
 */
export function resolveWorkers(inputs: WorkerCountInputs): Result<number, string> {
  const asked = inputs.flag ?? inputs.config ?? 1;
  const n = asked === "auto" ? Math.min(MAX_WORKERS, Math.max(1, Math.floor(inputs.cpus))) : asked;
  if (n > 1 && inputs.os !== "linux") {
    const source = inputs.flag !== undefined ? "--workers" : "workers:";
    return err(
      `${source} ${asked} asks for ${n} workers, which need Linux (SO_REUSEPORT spreads ` +
        `connections over them); on ${inputs.os} run one worker per process, several ` +
        `processes on their own ports behind a load balancer`,
    );
  }
  return ok(n);
}
