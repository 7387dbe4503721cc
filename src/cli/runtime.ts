// deno-lint-ignore-file no-console -- warnings go to stderr, as main.ts printed them.
/**
 * What every app a process (or one worker of `--workers N`) builds shares:
 * metrics, the signing-key and JWKS caches, backend credentials, the count of
 * requests in flight. `build` makes a config ready to serve; a reload calls
 * it again and keeps the rest.
 */
import { type AppHandler, createApp, type InFlight } from "../app.ts";
import { openCounterStore } from "../limits/open_store.ts";
import type { CounterStore } from "../limits/store.ts";
import { createMetrics, type Metrics } from "../admin/metrics.ts";
import type { Backend } from "../backends/backend.ts";
import { systemClock } from "../clock.ts";
import { CONFIG_DEFAULTS } from "../config/defaults.ts";
import { createUploadBuffer, type UploadBuffer } from "../backends/upload_buffer.ts";
import type { Config, ConfigProblem } from "../config/types.ts";
import type { LineWriter } from "../log/line_writer.ts";
import { enabled, type LogLevel } from "../log/level.ts";
import { createOidcCredentials, type OidcCredentials } from "../oidc/backend_auth.ts";
import type { OidcIssuer } from "../oidc/issuer.ts";
import { ok, type Result } from "../result.ts";
import { createSigningKeyCache } from "../sigv4/signing_key.ts";
import { createJwksCache, type JwksCache } from "../sts/jwks.ts";
import { buildBackends } from "./backends.ts";
import type { Environment } from "./environment.ts";
import type { Flags } from "./flags.ts";
import { makeLogger } from "./log_format.ts";

/** A config made ready to serve: its handler and its backends. */
export interface Serving {
  readonly handler: AppHandler;
  readonly backends: ReadonlyMap<string, Backend>;
  /** The config it serves (the status page reads its quotas). */
  readonly config: Config;
}

/** What every app this process builds shares (a reload keeps them). */
export interface Runtime {
  readonly metrics: Metrics;
  readonly warn: (message: string) => void;
  /** Counted by every app, so a reload keeps the count. */
  readonly inFlight: InFlight;
  /** Where the access-log lines go (flushed by a drain). */
  readonly accessLog: LineWriter;
  /** The memory s3 uploads of unknown length share; `build` sets its limit. */
  readonly uploadBuffer: UploadBuffer;
  readonly build: (config: Config) => Result<Serving, ConfigProblem[]>;
  /** The counters of rate limits and quotas, opened by the first build and kept by reloads. */
  limits(): CounterStore | undefined;
}

/** What a runtime is made of. */
export interface RuntimeOptions {
  readonly flags: Flags;
  readonly environment: Environment;
  readonly accessLog: LineWriter;
  /** The id of this worker of `--workers N`, which each access-log line names. */
  readonly worker?: number;
  /** The isolates of this process (`--workers N`); each holds its share of upload_buffer_bytes. */
  readonly workers?: number;
  /** The supervisor's shared counter table under `--workers` (limits/shared_store.ts). */
  readonly counters?: SharedArrayBuffer;
}

/** A message printer on stderr for lines of `line` level, silent below `--log-level`. */
export function stderrAt(threshold: LogLevel, line: LogLevel): (message: string) => void {
  return (message) => {
    if (enabled(threshold, line)) console.error(message);
  };
}

/** Creates the shared parts; nothing is built before `build`. */
export function createRuntime(o: RuntimeOptions): Runtime {
  const { flags, accessLog } = o;
  const print = makeLogger({
    format: flags.logFormat,
    level: flags.logLevel,
    write: (line) => accessLog.write(line),
    ...(o.worker !== undefined ? { worker: o.worker } : {}),
  });
  const metrics = createMetrics();
  const warn = stderrAt(flags.logLevel, "warn");
  const { sessionKeys, oidcIssuer } = o.environment;
  const signingKeys = createSigningKeyCache();
  const jwks = jwksCache(metrics, warn);
  const oidcCredentials = oidcIssuer ? backendCredentials(oidcIssuer, metrics, warn) : undefined;
  const inFlight: InFlight = { count: 0 };
  // One for every backend of every config: a reload sets its limit and keeps what is held.
  const uploadBuffer = createUploadBuffer(CONFIG_DEFAULTS.uploadBufferBytes);
  let limits: CounterStore | undefined;
  const build = (config: Config): Result<Serving, ConfigProblem[]> => {
    // Opened once, from the first config: `limits_store` is read at start.
    limits ??= openCounterStore({
      ...(config.limitsStore ? { redis: config.limitsStore } : {}),
      ...(o.counters ? { shared: o.counters } : {}),
      log: warn,
    });
    const backends = buildBackends(config, {
      uploadBuffer,
      ...(oidcCredentials ? { oidcCredentials } : {}),
    });
    if (!backends.ok) return backends;
    uploadBuffer.limit = Math.floor(config.uploadBufferBytes / (o.workers ?? 1));
    // Each config's app labels its metrics with that config's bucket names.
    const observe = metrics.observer(config.buckets.map((b) => b.name), {
      keys: config.credentials.map((c) => c.principalName),
      roles: config.roles,
    });
    const onThrottled = throttledCounters(metrics, config);
    const handler = createApp({
      config,
      backends: backends.value,
      clock: systemClock,
      log(e) {
        observe(e);
        print(e);
      },
      signingKeys,
      jwks,
      ...(sessionKeys ? { sessionKeys } : {}),
      ...(oidcIssuer ? { oidcIssuer } : {}),
      inFlight,
      limits,
      onThrottled,
    });
    return ok({ handler, backends: backends.value, config });
  };
  return { metrics, warn, inFlight, accessLog, uploadBuffer, build, limits: () => limits };
}

/**
 * The throttled counter of every rule of `limits:` and `quotas:` (each series
 * shown from the start, at 0), and what counts a refusal by a rule's name.
 */
export function throttledCounters(metrics: Metrics, config: Config): (rule: string) => void {
  const counters = new Map<string, () => void>();
  for (const rule of [...(config.limits ?? []), ...(config.quotas ?? [])]) {
    counters.set(rule.name, metrics.throttledCounter(rule.name));
  }
  return (rule) => counters.get(rule)?.();
}

function jwksCache(metrics: Metrics, warn: (message: string) => void): JwksCache {
  return createJwksCache({
    clock: systemClock,
    onFetch(issuer, outcome, detail) {
      metrics.jwksFetch(outcome === "error" ? "error" : "ok");
      if (outcome === "error") warn(`JWKS fetch for ${issuer} failed: ${detail}`);
    },
  });
}

/** The backends' OIDC credentials, counted in `metrics`; failures are warned about. */
export function backendCredentials(
  issuer: OidcIssuer,
  metrics: Metrics,
  warn: (message: string) => void,
): OidcCredentials {
  return createOidcCredentials({
    issuer,
    clock: systemClock,
    fetch: globalThis.fetch,
    onExchange: (outcome) => metrics.credentialExchange(outcome),
    onFailure(e, retryInMs) {
      warn(`backend credentials: ${String(e.detail ?? e.message)}; next try in ${retryInMs} ms`);
    },
  });
}
