/**
 * The messages between the supervisor and its workers (structured-cloneable
 * plain data, over `postMessage`). A worker is one isolate running the
 * gateway's serving code on the shared port (SO_REUSEPORT).
 */
import type { MetricsSnapshot } from "../admin/metrics.ts";
import type { Flags } from "../cli/flags.ts";
import type { ConfigSource } from "../cli/load_config.ts";

/** Where every worker listens: the config's host, and the port the first worker was given. */
export interface BindAddress {
  readonly hostname: string;
  readonly port: number;
}

/** Supervisor → worker. */
export type ToWorker =
  /** Serve `source` (already validated by the supervisor) on `bind`. */
  | {
    readonly kind: "start";
    readonly id: number;
    readonly flags: Flags;
    readonly source: ConfigSource;
    readonly bind: BindAddress;
    /** The workers of the process, which share its `upload_buffer_bytes` in equal parts. */
    readonly workers?: number;
    /** The counters of rate limits and quotas, one table for every worker (limits/shared_store.ts). */
    readonly counters?: SharedArrayBuffer;
  }
  /** Build `source` and hold it; answer `prepared`. */
  | { readonly kind: "prepare"; readonly seq: number; readonly source: ConfigSource }
  /** Serve what `prepare` `seq` built. */
  | { readonly kind: "commit"; readonly seq: number }
  /** Drop what `prepare` `seq` built. */
  | { readonly kind: "abort"; readonly seq: number }
  /** Answer `metrics` with a snapshot and the requests in flight. */
  | { readonly kind: "metrics"; readonly seq: number }
  /** Refuse new requests, finish those in flight, close, answer `drained`. */
  | { readonly kind: "drain" }
  /** Test hook (BUCKETGATE_TEST_HOOKS=1): throw an uncaught error, as a bug would. */
  | { readonly kind: "crash" };

/** Worker → supervisor. */
export type FromWorker =
  | { readonly kind: "listening"; readonly hostname: string; readonly port: number }
  /** The worker could not start (it stops; the message is the reason). */
  | { readonly kind: "failed"; readonly message: string }
  /** Whole access-log lines, each ending in a newline. */
  | { readonly kind: "log"; readonly bytes: Uint8Array }
  /** `error` is the "reload refused" message when the build failed. */
  | { readonly kind: "prepared"; readonly seq: number; readonly error?: string }
  | {
    readonly kind: "metrics";
    readonly seq: number;
    readonly snapshot: MetricsSnapshot;
    readonly inFlight: number;
  }
  | { readonly kind: "drained" };
