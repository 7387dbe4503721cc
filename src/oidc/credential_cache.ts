/**
 * A cache of expiring credentials with proactive, single-flight renewal.
 *
 * - Fresh: served at once.
 * - Within the refresh window (60 s before expiry): served at once, and one
 *   renewal starts in the background; callers never wait on it.
 * - Cold or expired: the first caller starts the one renewal of its key and
 *   every other caller awaits that same renewal (a bounded number of
 *   exchanges: one per key). Waiting is fine on a server: the alternative is
 *   an error.
 * - A failed renewal backs off (1 s, doubling, at most 60 s): until then a
 *   caller with no usable credential gets the last error at once, and a
 *   caller with a still-valid one keeps using it. STS is never hammered.
 */
import type { Clock } from "../clock.ts";
import { type ProxyError, proxyError } from "../errors.ts";
import { err, ok, type Result } from "../result.ts";

/** Anything that stops working at `expiresAt` (ms since the epoch). */
export interface Expiring {
  readonly expiresAt: number;
}

/** Options of `createCredentialCache`. */
export interface CredentialCacheOptions<T extends Expiring> {
  readonly clock: Clock;
  /** Obtains a new value for a key (the STS exchange). */
  readonly obtain: (key: string) => Promise<Result<T, ProxyError>>;
  /** Renew this long before expiry. @default 60000 */
  readonly refreshAheadMs?: number;
  /** First delay after a failure, doubled per failure. @default 1000 */
  readonly backoffBaseMs?: number;
  /** Longest delay after failures. @default 60000 */
  readonly backoffMaxMs?: number;
  /** Told of every failed renewal (for the log and metrics). */
  readonly onFailure?: (key: string, error: ProxyError, retryInMs: number) => void;
}

/** A credential cache. */
export interface CredentialCache<T extends Expiring> {
  /** A usable value for `key`, or why there is none. */
  get(key: string): Promise<Result<T, ProxyError>>;
}

interface Entry<T> {
  value?: T;
  /** When `value` was obtained; the refresh window is at most half its lifetime. */
  obtainedAt: number;
  renewal: Promise<Result<T, ProxyError>> | undefined;
  failures: number;
  retryAt: number;
  lastError: ProxyError | undefined;
}

/** Creates an empty cache. */
export function createCredentialCache<T extends Expiring>(
  o: CredentialCacheOptions<T>,
): CredentialCache<T> {
  const ahead = o.refreshAheadMs ?? 60_000;
  const base = o.backoffBaseMs ?? 1_000;
  const max = o.backoffMaxMs ?? 60_000;
  const entries = new Map<string, Entry<T>>();

  function renew(key: string, e: Entry<T>): Promise<Result<T, ProxyError>> {
    const attempt = async (): Promise<Result<T, ProxyError>> => {
      try {
        return await o.obtain(key);
      } catch (cause) {
        return err(
          proxyError("BackendError", "The backend's credentials could not be obtained", cause),
        );
      }
    };
    // Settled in a `then`, which always runs after `e.renewal` below is set,
    // even when `obtain` fails synchronously.
    const renewal = attempt().then((r) => {
      e.renewal = undefined;
      if (r.ok) {
        e.value = r.value;
        e.obtainedAt = o.clock.now();
        e.failures = 0;
        e.retryAt = 0;
        e.lastError = undefined;
      } else {
        e.failures++;
        const delay = Math.min(max, base * 2 ** (e.failures - 1));
        e.retryAt = o.clock.now() + delay;
        e.lastError = r.error;
        o.onFailure?.(key, r.error, delay);
      }
      return r;
    });
    e.renewal = renewal;
    return renewal;
  }

  return {
    async get(key) {
      let e = entries.get(key);
      if (!e) {
        e = { obtainedAt: 0, failures: 0, retryAt: 0, renewal: undefined, lastError: undefined };
        entries.set(key, e);
      }
      const now = o.clock.now();
      const v = e.value;
      if (v && now < v.expiresAt) {
        const window = Math.min(ahead, (v.expiresAt - e.obtainedAt) / 2);
        if (now >= v.expiresAt - window && !e.renewal && now >= e.retryAt) {
          void renew(key, e); // never rejects: failures are results
        }
        return ok(v);
      }
      if (e.renewal) return await e.renewal;
      if (now < e.retryAt && e.lastError) return err(e.lastError);
      return await renew(key, e);
    },
  };
}
