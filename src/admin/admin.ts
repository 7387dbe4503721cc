/**
 * The admin listener (`--admin-listen`, off by default): `/healthz` (the
 * process answers), `/readyz` (a config is loaded and every backend answers its
 * probe, or else a one-key listing, within a few seconds), `/metrics` (Prometheus text), the
 * status page `/` and its JSON twin `/status.json` (status.ts, status_page.ts),
 * `/limits` (the counters of rate limits and quotas, admin/limits.ts). It has
 * no authentication: bind it to 127.0.0.1 or a private network.
 */
import type { ObjectStore } from "../backends/backend.ts";
import { type Clock, systemClock } from "../clock.ts";
import type { CounterStore } from "../limits/store.ts";
import { limitsEndpoint } from "./limits.ts";
import { type Metrics, type MetricsSnapshot, renderMetrics } from "./metrics.ts";
import { type BucketHealth, type QuotaUse, statusOf } from "./status.ts";
import { renderStatusPage } from "./status_page.ts";

/** What /metrics and the status page show: one registry's series, or the sum over workers. */
export interface Readings {
  readonly snapshot: MetricsSnapshot;
  readonly inFlight: number;
  /** Workers summed into `snapshot` (1 for one process). */
  readonly workers: number;
}

/** What the admin handler reads. */
export interface AdminDeps {
  readonly metrics: Metrics;
  /** The backends of the config now serving, by bucket name (probed, or else listed). */
  readonly backends: () => ReadonlyMap<string, Pick<ObjectStore, "list" | "probe">>;
  readonly inFlight: () => number;
  /** Time limit of each backend probe. @default 3000 */
  readonly probeTimeoutMs?: number;
  /** The readings to show instead of `metrics` and `inFlight` (the supervisor's sum over workers). */
  readonly readings?: () => Promise<Readings>;
  /**
   * Quota use for the status page, from the limits (none = "no quotas
   * configured"). The hook the quota work plugs into.
   */
  readonly quotas?: () => readonly QuotaUse[] | Promise<readonly QuotaUse[]>;
  /** @default systemClock */
  readonly clock?: Clock;
  /** The counters of `limits:` and `quotas:` (`/limits`, and its health in `/readyz`). */
  readonly limits?: CounterStore;
}

const text = (status: number, body: string, type = "text/plain; charset=utf-8") =>
  new Response(body, { status, headers: { "content-type": type, "cache-control": "no-store" } });

/** An HTML page that may load nothing from elsewhere nor run a script. */
const page = (html: string) =>
  new Response(html, {
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
      "x-content-type-options": "nosniff",
    },
  });

/** Probes every backend (with its probe, else a one-key listing): whether each answered. */
async function health(deps: AdminDeps): Promise<BucketHealth[]> {
  const timeout = deps.probeTimeoutMs ?? 3000;
  const probes = [...deps.backends()].map(async ([name, b]) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<"late">((r) => timer = setTimeout(() => r("late"), timeout));
    try {
      const answer = b.probe ? b.probe() : b.list({ prefix: "", maxKeys: 1 });
      const r = await Promise.race([answer, late]);
      return { name, ready: r !== "late" && r.ok };
    } catch {
      return { name, ready: false };
    } finally {
      clearTimeout(timer);
    }
  });
  return await Promise.all(probes);
}

/** The names of the backends that did not answer their probe. */
async function unready(deps: AdminDeps): Promise<string[]> {
  return (await health(deps)).filter((b) => !b.ready).map((b) => b.name);
}

/** The readings of this process, unless `deps` gives others. */
function readingsOf(deps: AdminDeps): Promise<Readings> {
  if (deps.readings) return deps.readings();
  return Promise.resolve({
    snapshot: deps.metrics.snapshot(),
    inFlight: deps.inFlight(),
    workers: 1,
  });
}

/** The status page's facts now: readings, backend health and quota use together. */
async function currentStatus(deps: AdminDeps) {
  const [readings, bucketHealth, quotas] = await Promise.all([
    readingsOf(deps),
    health(deps),
    deps.quotas ? deps.quotas() : [],
  ]);
  const nowMs = (deps.clock ?? systemClock).now();
  return { status: statusOf({ ...readings, health: bucketHealth, quotas, nowMs }), nowMs };
}

/** Creates the admin handler. */
export function createAdminHandler(deps: AdminDeps): (req: Request) => Promise<Response> {
  return async (req) => {
    const path = new URL(req.url).pathname;
    if (path === "/limits" && deps.limits) {
      return limitsEndpoint(req, deps.limits, deps.clock ?? systemClock);
    }
    if (req.method !== "GET" && req.method !== "HEAD") return text(405, "GET only\n");
    switch (path) {
      case "/healthz":
        return text(200, "ok\n");
      case "/readyz": {
        const failed = await unready(deps);
        const store = deps.limits?.health();
        return failed.length === 0
          ? text(200, store?.ok === false ? `ready (${store.detail})\n` : "ready\n")
          : text(503, `not ready: backends of ${failed.sort().join(", ")} do not answer\n`);
      }
      case "/metrics": {
        const r = await readingsOf(deps);
        return text(200, renderMetrics(r.snapshot, r.inFlight), "text/plain; version=0.0.4");
      }
      case "/status.json": {
        const { status } = await currentStatus(deps);
        return text(200, JSON.stringify(status, null, 1) + "\n", "application/json");
      }
      case "/": {
        const { status, nowMs } = await currentStatus(deps);
        return page(renderStatusPage(status, nowMs));
      }
      default:
        return text(404, "not found: /, /status.json, /healthz, /readyz, /metrics\n");
    }
  };
}
